//! `prior doctor`: can a run on a real device (or an emulator) start on this machine?
//!
//! [`diagnose`] inspects the environment and returns a [`Diagnosis`]: one [`Check`] per thing
//! looked at, each `ok`/`warn`/`fail` with what was found and, for each problem, the exact
//! command that fixes it. The CLI renders it (text or JSON); nothing here prints.
//!
//! Choices (the brief leaves them open; `docs/exit-codes.md` has the exit code):
//! - **Ready** means a run on a real device can start: adb is usable (a server answers, or
//!   `adb` runs and the server address is on loopback so it starts on demand) AND (a real device
//!   or emulator is online, OR the `emulator` tool + at least one AVD + hardware acceleration
//!   are there). The simulated handset is always available but never makes a machine ready.
//! - `fail` marks a problem that blocks its path (device path or emulator path); `warn` marks
//!   something worth fixing that does not block it. A machine with an online device is ready
//!   even when the emulator path has `fail`s.
//! - The adb server is never started: `host:version` and `host:devices-l` are asked of a running
//!   one only (through `prior_device`).
//! - Tools are run with argument vectors, stdin closed, a time limit
//!   ([`DoctorEnv::tool_timeout`]; on timeout the tool's process group is killed), at most
//!   64 KiB of output kept per stream, and only for their version (`adb version`,
//!   `emulator -version`, `sdkmanager --version`); `avdmanager` is only located. Every command
//!   run is listed in [`Diagnosis::ran`] so the user can reproduce it.
//! - Hardware acceleration on Linux: `/dev/kvm` must open read-write for this user (opening it
//!   creates no VM). `PRIOR_DOCTOR_KVM=PATH` replaces `/dev/kvm` — a **test hook**, so tests
//!   do not depend on the machine. macOS (`sysctl -n kern.hv_support`) and Windows (WHPX/AEHD)
//!   get the documented checks/hints; only the Linux path is tested.
//! - Disk: `df -Pk` (POSIX output) on the nearest existing directory of the AVD home and of the
//!   bundle directory. Below [`MIN_FREE_AVD`] (8 GiB: a system image copy, a 6 GiB userdata
//!   partition and snapshots) or [`MIN_FREE_BUNDLES`] (1 GiB) is a `warn` (it does not decide
//!   readiness). `df` is looked up on `PATH`, then `/usr/bin/df`, `/bin/df`.
//! - Everything the environment controls (paths, tool output, device serials) is escaped with
//!   [`printable`] before it is stored, so no terminal control character reaches the output.

use crate::process::{self, RunError, display_argv, tail_lines};
use crate::sdk::{Sdk, SdkEnv, Tool, is_executable};
use prior_device::{AdbServer, DeviceError, DeviceKind, DeviceState, server_addr_from};
use serde::Serialize;
use std::ffi::OsString;
use std::net::SocketAddrV4;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Free space wanted where AVDs live (8 GiB).
pub const MIN_FREE_AVD: u64 = 8 << 30;
/// Free space wanted where bundles go (1 GiB).
pub const MIN_FREE_BUNDLES: u64 = 1 << 30;

/// What `prior doctor` looks at. [`DoctorEnv::from_process`] reads the real environment; tests
/// build their own.
#[derive(Debug, Clone)]
pub struct DoctorEnv {
    /// SDK variables, `HOME`, `PATH`.
    pub sdk: SdkEnv,
    /// `ADB_SERVER_SOCKET`.
    pub adb_server_socket: Option<String>,
    /// `ANDROID_ADB_SERVER_PORT`.
    pub adb_server_port: Option<String>,
    /// The KVM device (`/dev/kvm`, or `PRIOR_DOCTOR_KVM`).
    pub kvm: PathBuf,
    /// `std::env::consts::OS` (`linux`, `macos`, `windows`).
    pub os: String,
    /// Where bundles are written (`prior run --out`, default `prior-runs`).
    pub bundle_dir: PathBuf,
    /// Time limit per tool invocation.
    pub tool_timeout: Duration,
}

impl DoctorEnv {
    /// The process environment, with bundles going to `bundle_dir`.
    pub fn from_process(bundle_dir: PathBuf) -> DoctorEnv {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
        DoctorEnv {
            sdk: SdkEnv::from_process(),
            adb_server_socket: var("ADB_SERVER_SOCKET"),
            adb_server_port: var("ANDROID_ADB_SERVER_PORT"),
            kvm: std::env::var_os("PRIOR_DOCTOR_KVM")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/dev/kvm")),
            os: std::env::consts::OS.to_string(),
            bundle_dir,
            tool_timeout: Duration::from_secs(30),
        }
    }
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Fine.
    Ok,
    /// Worth fixing; does not block its path.
    Warn,
    /// Blocks its path (device or emulator).
    Fail,
}

impl Status {
    /// `ok`, `warn` or `FAIL` (as printed).
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        }
    }
}

/// One thing looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The group: `adb`, `devices`, `sdk`, `acceleration`, `avds`, `disk`, `simulated`.
    pub area: &'static str,
    /// What was checked (`adb`, `adb server`, `emulator-5554`, `/dev/kvm`…).
    pub name: String,
    /// The outcome.
    pub status: Status,
    /// What was found (escaped).
    pub found: String,
    /// Commands that fix the problem, in order (empty when there is none).
    pub fix: Vec<String>,
    /// Explanation of the fix, when a command alone is not enough.
    pub note: Option<String>,
}

impl Check {
    fn new(area: &'static str, name: impl Into<String>, status: Status, found: String) -> Check {
        Check {
            area,
            name: printable(&name.into()),
            status,
            found: printable(&found),
            fix: Vec::new(),
            note: None,
        }
    }

    fn fix(mut self, cmd: impl Into<String>) -> Check {
        self.fix.push(printable(&cmd.into()));
        self
    }

    fn note(mut self, note: impl Into<String>) -> Check {
        self.note = Some(printable(&note.into()));
        self
    }
}

/// The facts readiness is decided from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// A server answers, or `adb` runs and the server (on loopback) starts on demand.
    pub adb_usable: bool,
    /// An adb server answered (so the device list below is known).
    pub server_running: bool,
    /// Real devices/emulators in state `device` (the simulated handset excluded).
    pub devices_online: Vec<String>,
    /// The `emulator` tool runs.
    pub emulator: bool,
    /// AVD names.
    pub avds: Vec<String>,
    /// Hardware acceleration is usable (or, off Linux, believed to be).
    pub acceleration: bool,
}

/// The outcome of `prior doctor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// Whether a run on a real device can start.
    pub ready: bool,
    /// One sentence saying why (not).
    pub verdict: String,
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// The facts behind `ready`.
    pub facts: Facts,
    /// Every command run, shell-quoted (to reproduce by hand).
    pub ran: Vec<String>,
}

/// Makes environment-controlled text safe for a terminal: control characters (C0, DEL, C1)
/// and bidirectional overrides become `\n`, `\u{1b}`… escapes; everything else is kept.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

// Public API (`prior_emulator::doctor::shell_quote`); the one quoter of the crate.
pub use crate::process::shell_quote;

/// What running a tool gave.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Probe {
    /// Exit code (None: killed by a signal).
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Probe {
    fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// The first non-empty line of stdout (else stderr).
    fn first_line(&self) -> String {
        self.stdout
            .lines()
            .chain(self.stderr.lines())
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .to_string()
    }

    /// The last lines of stderr (else stdout), for errors.
    fn tail(&self) -> String {
        let text = if self.stderr.trim().is_empty() {
            &self.stdout
        } else {
            &self.stderr
        };
        tail_lines(text, 3).join(" / ")
    }

    fn status_text(&self) -> String {
        match self.code {
            Some(c) => format!("exit status {c}"),
            None => "killed by a signal".to_string(),
        }
    }
}

/// Largest output kept from a tool.
const MAX_TOOL_OUTPUT: usize = 64 * 1024;

/// Runs `path args…` with stdin closed, `PATH` as in `env`, and a time limit.
fn run_tool(
    path: &Path,
    args: &[&str],
    env_path: Option<&OsString>,
    timeout: Duration,
    ran: &mut Vec<String>,
) -> Result<Probe, String> {
    ran.push(printable(&display_argv(path, args)));
    let env: Vec<(OsString, Option<OsString>)> = env_path
        .map(|p| (OsString::from("PATH"), Some(p.clone())))
        .into_iter()
        .collect();
    let out = match process::run_tool(path, args, &env, None, timeout, MAX_TOOL_OUTPUT) {
        Ok(out) => out,
        Err(RunError::Spawn(e)) => return Err(format!("cannot start it: {e}")),
        Err(RunError::Wait(e)) => return Err(format!("cannot wait for it: {e}")),
    };
    let Some(status) = out.status else {
        return Err(format!("no answer after {} s (killed)", timeout.as_secs()));
    };
    Ok(Probe {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// Runs every check.
pub fn diagnose(env: &DoctorEnv) -> Diagnosis {
    let sdk = Sdk::locate(env.sdk.clone());
    let mut checks = Vec::new();
    let mut facts = Facts::default();
    let mut ran = Vec::new();

    // adb: the tool and its version.
    let client_version = check_adb_tool(env, &sdk, &mut checks, &mut ran);
    let adb_runs = client_version.is_some();
    // The adb server and its devices.
    check_server(
        env,
        adb_runs,
        client_version.flatten(),
        &mut checks,
        &mut facts,
    );

    // SDK.
    check_sdk(env, &sdk, &mut checks, &mut facts, &mut ran);
    // Acceleration.
    facts.acceleration = check_acceleration(env, &mut checks, &mut ran);
    // AVDs and images.
    check_avds(&sdk, &mut checks, &mut facts);
    // Disk.
    check_disk(
        env,
        "AVD home",
        &sdk.avd_home(),
        MIN_FREE_AVD,
        &mut checks,
        &mut ran,
    );
    check_disk(
        env,
        "bundles",
        &env.bundle_dir,
        MIN_FREE_BUNDLES,
        &mut checks,
        &mut ran,
    );
    // The simulated handset.
    checks.push(Check::new(
        "simulated",
        "simulated handset",
        Status::Ok,
        "always available (`prior run --device simulated`, `prior sim`); it does not count \
         as a device for real runs"
            .to_string(),
    ));

    let (ready, verdict) = verdict(&facts);
    Diagnosis {
        ready,
        verdict,
        checks,
        facts,
        ran,
    }
}

fn verdict(f: &Facts) -> (bool, String) {
    let emulator_path = f.emulator && !f.avds.is_empty() && f.acceleration;
    if !f.adb_usable {
        return (
            false,
            "not ready: adb is not usable (see the adb checks)".to_string(),
        );
    }
    if let Some(first) = f.devices_online.first() {
        return (true, printable(&format!("ready: device {first} is online")));
    }
    if emulator_path {
        return (
            true,
            printable(&format!(
                "ready: no device is online, but AVD {} can be booted (`prior emulator boot {}`)",
                f.avds[0], f.avds[0]
            )),
        );
    }
    let devices = if f.server_running {
        "no device is online"
    } else {
        "no device is known (no adb server runs)"
    };
    let mut missing = Vec::new();
    if !f.emulator {
        missing.push("the emulator tool");
    }
    if f.avds.is_empty() {
        missing.push("an AVD");
    }
    if !f.acceleration {
        missing.push("hardware acceleration");
    }
    (
        false,
        format!(
            "not ready: {devices} and an emulator cannot boot (missing {})",
            missing.join(", ")
        ),
    )
}

/// Returns None when adb does not run; Some(version) when it does (the version being
/// `1.0.N` → N, if it could be read).
fn check_adb_tool(
    env: &DoctorEnv,
    sdk: &Sdk,
    checks: &mut Vec<Check>,
    ran: &mut Vec<String>,
) -> Option<Option<u32>> {
    let path = match sdk.tool(Tool::Adb) {
        Ok(p) => p,
        Err(_) => {
            checks.push(
                Check::new(
                    "adb",
                    "adb",
                    Status::Fail,
                    looked_text(sdk, Tool::Adb),
                )
                .fix("sudo apt-get install adb")
                .fix("sdkmanager platform-tools")
                .note("Debian/Ubuntu package, or the SDK's platform-tools (then put $ANDROID_HOME/platform-tools on PATH)"),
            );
            return None;
        }
    };
    match run_tool(
        &path,
        &["version"],
        env.sdk.path.as_ref(),
        env.tool_timeout,
        ran,
    ) {
        Ok(p) if p.success() => {
            let line = p.first_line();
            checks.push(Check::new(
                "adb",
                "adb",
                Status::Ok,
                format!("{}: {line}", path.display()),
            ));
            Some(parse_adb_version(&line))
        }
        Ok(p) => {
            checks.push(
                Check::new(
                    "adb",
                    "adb",
                    Status::Fail,
                    format!(
                        "{}: `adb version` failed ({}): {}",
                        path.display(),
                        p.status_text(),
                        p.tail()
                    ),
                )
                .fix("sudo apt-get install --reinstall adb")
                .fix("sdkmanager platform-tools"),
            );
            None
        }
        Err(why) => {
            checks.push(
                Check::new(
                    "adb",
                    "adb",
                    Status::Fail,
                    format!("{}: `adb version`: {why}", path.display()),
                )
                .fix("sudo apt-get install --reinstall adb")
                .fix("sdkmanager platform-tools"),
            );
            None
        }
    }
}

/// `Android Debug Bridge version 1.0.41` → 41 (the number `host:version` reports).
fn parse_adb_version(line: &str) -> Option<u32> {
    let v = line.strip_prefix("Android Debug Bridge version ")?;
    v.trim().rsplit('.').next()?.parse().ok()
}

/// Where a tool was looked for: the SDK places by path, `PATH` as one item (it may be long).
fn looked_text(sdk: &Sdk, tool: Tool) -> String {
    let on_path: Vec<PathBuf> = sdk
        .env()
        .path
        .as_ref()
        .map(|p| {
            std::env::split_paths(p)
                .map(|d| d.join(tool.name()))
                .collect()
        })
        .unwrap_or_default();
    let mut places: Vec<String> = sdk
        .candidates(tool)
        .iter()
        .filter(|p| !on_path.contains(p))
        .map(|p| p.display().to_string())
        .collect();
    if sdk.root().is_none() {
        places.push("the SDK (ANDROID_HOME is not set)".to_string());
    }
    places.push(if on_path.is_empty() {
        "PATH (empty)".to_string()
    } else {
        match on_path.len() {
            1 => "PATH (1 directory)".to_string(),
            n => format!("PATH ({n} directories)"),
        }
    });
    format!("not found; looked in {}", places.join(", "))
}

fn check_server(
    env: &DoctorEnv,
    adb_runs: bool,
    client_version: Option<u32>,
    checks: &mut Vec<Check>,
    facts: &mut Facts,
) {
    let addr = match server_addr_from(
        env.adb_server_socket.as_deref(),
        env.adb_server_port.as_deref(),
    ) {
        Ok(a) => a,
        Err(e) => {
            let var = match &e {
                DeviceError::BadServerAddress { var, .. } => *var,
                _ => "ADB_SERVER_SOCKET",
            };
            checks.push(
                Check::new("adb", "adb server", Status::Fail, format!("{e}"))
                    .fix(format!("unset {var}"))
                    .note(
                        "ADB_SERVER_SOCKET is tcp:HOST:PORT, ANDROID_ADB_SERVER_PORT a port number",
                    ),
            );
            return;
        }
    };
    let server = AdbServer::new(addr);
    match server.version() {
        Ok(v) => {
            facts.adb_usable = true;
            facts.server_running = true;
            match client_version {
                Some(c) if c != v => checks.push(
                    Check::new(
                        "adb",
                        "adb server",
                        Status::Warn,
                        format!(
                            "{addr} answers, server version {v} but the adb client is version \
                             {c} (adb kills and restarts a server of another version)"
                        ),
                    )
                    .fix(format!("adb -P {} kill-server", addr.port()))
                    .note("the next adb command starts a server of the client's version"),
                ),
                _ => checks.push(Check::new(
                    "adb",
                    "adb server",
                    Status::Ok,
                    format!("{addr} answers (server version {v})"),
                )),
            }
            check_devices(&server, checks, facts);
        }
        Err(DeviceError::ServerUnreachable { source, .. }) => {
            let loopback = addr.ip().is_loopback();
            if adb_runs && loopback {
                facts.adb_usable = true;
                checks.push(
                    Check::new(
                        "adb",
                        "adb server",
                        Status::Warn,
                        format!(
                            "no server at {addr} ({source}); adb starts one on demand, so \
                             connected devices cannot be listed yet"
                        ),
                    )
                    .fix(start_server_cmd(addr))
                    .note("then run `prior doctor` again to see the devices"),
                );
            } else if loopback {
                checks.push(
                    Check::new(
                        "adb",
                        "adb server",
                        Status::Fail,
                        format!(
                            "no server at {addr} ({source}) and adb cannot start one (adb is missing)"
                        ),
                    )
                    .fix("sudo apt-get install adb")
                    .fix(start_server_cmd(addr)),
                );
            } else {
                checks.push(
                    Check::new(
                        "adb",
                        "adb server",
                        Status::Fail,
                        format!("the remote server {addr} does not answer ({source})"),
                    )
                    .fix(format!("adb -a -P {} server nodaemon", addr.port()))
                    .note(format!(
                        "run that on {} (or fix ADB_SERVER_SOCKET)",
                        addr.ip()
                    )),
                );
            }
        }
        Err(e) => {
            checks.push(
                Check::new(
                    "adb",
                    "adb server",
                    Status::Fail,
                    format!("something at {addr} does not speak the adb protocol: {e}"),
                )
                .fix(format!("adb -P {} kill-server", addr.port()))
                .note("or point ANDROID_ADB_SERVER_PORT at the real adb server"),
            );
        }
    }
}

fn start_server_cmd(addr: SocketAddrV4) -> String {
    if addr.port() == prior_device::DEFAULT_SERVER.port() {
        "adb start-server".to_string()
    } else {
        format!("adb -P {} start-server", addr.port())
    }
}

fn check_devices(server: &AdbServer, checks: &mut Vec<Check>, facts: &mut Facts) {
    let entries = match server.devices() {
        Ok(e) => e,
        Err(e) => {
            checks.push(Check::new(
                "devices",
                "devices",
                Status::Fail,
                format!("cannot list devices: {e}"),
            ));
            return;
        }
    };
    if entries.is_empty() {
        checks.push(
            Check::new(
                "devices",
                "devices",
                Status::Warn,
                "no device connected".to_string(),
            )
            .fix("prior emulator boot NAME")
            .note("or connect a handset with USB debugging on, or `adb connect HOST:PORT`"),
        );
        return;
    }
    for e in entries {
        let kind = DeviceKind::classify(&e.serial, e.model.as_deref(), false);
        let model = e.model.as_deref().unwrap_or("?");
        let desc = format!("{} ({}, model {model})", e.state.as_str(), kind.as_str());
        let serial = e.serial.clone();
        let check = match &e.state {
            DeviceState::Device if kind == DeviceKind::Simulated => Check::new(
                "devices",
                &serial,
                Status::Ok,
                format!("{desc}: the SIMULATED handset, not counted as a real device"),
            ),
            DeviceState::Device => {
                facts.devices_online.push(printable(&serial));
                Check::new("devices", &serial, Status::Ok, desc)
            }
            DeviceState::Unauthorized => Check::new("devices", &serial, Status::Fail, desc)
                .fix("adb kill-server && adb devices")
                .note(
                    "unlock the device and accept \"Allow USB debugging?\" (tick \"Always allow \
                     from this computer\"); if no prompt shows, revoke USB debugging \
                     authorizations in Developer options and reconnect",
                ),
            DeviceState::Offline => Check::new("devices", &serial, Status::Fail, desc)
                .fix("adb reconnect offline")
                .note("an emulator is offline while it boots; a handset: replug the cable"),
            DeviceState::Authorizing | DeviceState::Connecting => {
                Check::new("devices", &serial, Status::Warn, desc)
                    .note("wait a few seconds and check again")
            }
            DeviceState::NoPermissions(_) => Check::new("devices", &serial, Status::Fail, desc)
                .fix("sudo apt-get install android-sdk-platform-tools-common")
                .fix("sudo usermod -aG plugdev $USER")
                .note("installs the udev rules for Android devices; log in again and replug"),
            DeviceState::Bootloader
            | DeviceState::Recovery
            | DeviceState::Sideload
            | DeviceState::Rescue => Check::new("devices", &serial, Status::Fail, desc)
                .fix(format!("adb -s {} reboot", shell_quote(&serial)))
                .note("the device is not running Android; in the bootloader use `fastboot reboot`"),
            DeviceState::Host | DeviceState::Other(_) => {
                Check::new("devices", &serial, Status::Warn, desc)
            }
        };
        checks.push(check);
    }
}

fn check_sdk(
    env: &DoctorEnv,
    sdk: &Sdk,
    checks: &mut Vec<Check>,
    facts: &mut Facts,
    ran: &mut Vec<String>,
) {
    match sdk.root() {
        Some(root) => {
            let var = if env.sdk.android_home.is_some() {
                "ANDROID_HOME"
            } else {
                "ANDROID_SDK_ROOT"
            };
            let status = if root.is_dir() {
                Status::Ok
            } else {
                Status::Fail
            };
            let mut c = Check::new("sdk", var, status, root.display().to_string());
            if status == Status::Fail {
                c = c
                    .fix(format!("mkdir -p {}", shell_quote(&root.display().to_string())))
                    .note("then install the command-line tools there (see sdkmanager below)");
            } else if var == "ANDROID_SDK_ROOT" {
                c.status = Status::Warn;
                c.found.push_str(" (ANDROID_SDK_ROOT is deprecated)");
                c = c.fix(format!(
                    "export ANDROID_HOME={}",
                    shell_quote(&root.display().to_string())
                ));
            }
            checks.push(c);
        }
        None => checks.push(
            Check::new(
                "sdk",
                "ANDROID_HOME",
                Status::Fail,
                "not set (nor ANDROID_SDK_ROOT)".to_string(),
            )
            .fix("export ANDROID_HOME=$HOME/Android/Sdk")
            .note("the directory the SDK is (or will be) installed in; put the export in your shell profile"),
        ),
    }
    for w in sdk.warnings() {
        checks.push(Check::new("sdk", "SDK variables", Status::Warn, w.clone()));
    }

    for (tool, args) in [
        (Tool::Emulator, Some("-version")),
        (Tool::Sdkmanager, Some("--version")),
        (Tool::Avdmanager, None),
    ] {
        let name = tool.name();
        let path = match sdk.tool(tool) {
            Ok(p) => p,
            Err(_) => {
                let mut c = Check::new("sdk", name, Status::Fail, looked_text(sdk, tool));
                c = match tool {
                    Tool::Emulator => c.fix("sdkmanager --install emulator"),
                    _ => c
                        .fix("mkdir -p $ANDROID_HOME/cmdline-tools")
                        .fix("unzip commandlinetools-linux-*_latest.zip -d $ANDROID_HOME/cmdline-tools && mv $ANDROID_HOME/cmdline-tools/cmdline-tools $ANDROID_HOME/cmdline-tools/latest")
                        .note("download the zip from https://developer.android.com/studio#command-line-tools-only"),
                };
                checks.push(c);
                continue;
            }
        };
        let Some(arg) = args else {
            checks.push(Check::new(
                "sdk",
                name,
                Status::Ok,
                path.display().to_string(),
            ));
            continue;
        };
        let check = match run_tool(&path, &[arg], env.sdk.path.as_ref(), env.tool_timeout, ran) {
            Ok(p) if p.success() => {
                if tool == Tool::Emulator {
                    facts.emulator = true;
                }
                Check::new(
                    "sdk",
                    name,
                    Status::Ok,
                    format!("{}: {}", path.display(), p.first_line()),
                )
            }
            Ok(p) => Check::new(
                "sdk",
                name,
                Status::Fail,
                format!(
                    "{}: `{name} {arg}` failed ({}): {}",
                    path.display(),
                    p.status_text(),
                    p.tail()
                ),
            ),
            Err(why) => Check::new(
                "sdk",
                name,
                Status::Fail,
                format!("{}: `{name} {arg}`: {why}", path.display()),
            ),
        };
        let check = if check.status == Status::Fail {
            match tool {
                Tool::Emulator => check.fix("sdkmanager --install emulator"),
                _ => check
                    .fix("sdkmanager --install 'cmdline-tools;latest'")
                    .note("sdkmanager needs Java 17 or newer (`sudo apt-get install openjdk-17-jre-headless`)"),
            }
        } else {
            check
        };
        checks.push(check);
    }
}

fn check_acceleration(env: &DoctorEnv, checks: &mut Vec<Check>, ran: &mut Vec<String>) -> bool {
    match env.os.as_str() {
        "linux" => check_kvm(&env.kvm, checks),
        "macos" => {
            let sysctl = Path::new("/usr/sbin/sysctl");
            let answer = run_tool(
                sysctl,
                &["-n", "kern.hv_support"],
                env.sdk.path.as_ref(),
                env.tool_timeout,
                ran,
            );
            match answer {
                Ok(p) if p.success() && p.first_line() == "1" => {
                    checks.push(Check::new(
                        "acceleration",
                        "Hypervisor.framework",
                        Status::Ok,
                        "kern.hv_support = 1".to_string(),
                    ));
                    true
                }
                other => {
                    let found = match other {
                        Ok(p) => format!("kern.hv_support = {}", p.first_line()),
                        Err(why) => format!("sysctl kern.hv_support: {why}"),
                    };
                    checks.push(
                        Check::new("acceleration", "Hypervisor.framework", Status::Fail, found)
                            .note("this Mac (or VM) has no Hypervisor.framework support; the emulator needs it (on Apple silicon use arm64-v8a images)"),
                    );
                    false
                }
            }
        }
        "windows" => {
            checks.push(
                Check::new(
                    "acceleration",
                    "WHPX/AEHD",
                    Status::Warn,
                    "not checked on Windows".to_string(),
                )
                .fix("emulator -accel-check")
                .note("enable \"Windows Hypervisor Platform\" in Windows Features (WHPX), or install the Android Emulator hypervisor driver (AEHD) with `sdkmanager \"extras;google;Android_Emulator_Hypervisor_Driver\"`"),
            );
            // Unknown: believed usable so that a correctly set-up machine is not refused.
            true
        }
        other => {
            checks.push(
                Check::new(
                    "acceleration",
                    "acceleration",
                    Status::Warn,
                    format!("not checked on {other}"),
                )
                .fix("emulator -accel-check"),
            );
            true
        }
    }
}

fn check_kvm(kvm: &Path, checks: &mut Vec<Check>) -> bool {
    let shown = kvm.display().to_string();
    if std::fs::metadata(kvm).is_err() {
        checks.push(
            Check::new(
                "acceleration",
                &shown,
                Status::Fail,
                "does not exist: no KVM".to_string(),
            )
            .fix("sudo modprobe kvm_intel   # or: sudo modprobe kvm_amd")
            .note(
                "enable virtualization (Intel VT-x / AMD-V) in the firmware settings; in a VM, \
                 enable nested virtualization. Without KVM only `emulator -accel off` works, \
                 which is very slow",
            ),
        );
        return false;
    }
    match std::fs::OpenOptions::new().read(true).write(true).open(kvm) {
        Ok(_) => {
            checks.push(Check::new(
                "acceleration",
                &shown,
                Status::Ok,
                "exists and this user can open it read-write".to_string(),
            ));
            true
        }
        Err(e) => {
            checks.push(
                Check::new(
                    "acceleration",
                    &shown,
                    Status::Fail,
                    format!("exists but this user cannot open it read-write: {e}"),
                )
                .fix("sudo usermod -aG kvm $USER")
                .note("then log out and in again (or `newgrp kvm`); on CI runners use the udev rule in docs/ci.md"),
            );
            false
        }
    }
}

fn check_avds(sdk: &Sdk, checks: &mut Vec<Check>, facts: &mut Facts) {
    let avd_home = sdk.avd_home();
    let avds = sdk.avds();
    if avds.is_empty() {
        checks.push(
            Check::new(
                "avds",
                "AVDs",
                Status::Fail,
                format!("none in {}", avd_home.display()),
            )
            .fix(create_example())
            .note("any NAME; other image ids: emulator-images/README.md"),
        );
    }
    for avd in &avds {
        facts.avds.push(printable(&avd.name));
        let image = avd.image_package();
        let target = avd.target.as_deref().unwrap_or("?");
        let mut c = match &image {
            Some(pkg) if sdk.image_dir(pkg).is_none() => Check::new(
                "avds",
                &avd.name,
                Status::Warn,
                format!("{target}, image {pkg} is not installed"),
            )
            .fix(format!("sdkmanager --install {}", shell_quote(pkg))),
            Some(pkg) => Check::new(
                "avds",
                &avd.name,
                Status::Ok,
                format!("{target}, image {pkg}"),
            ),
            None => Check::new(
                "avds",
                &avd.name,
                Status::Warn,
                format!("{target}, config.ini names no system image (image.sysdir.1)"),
            ),
        };
        if c.status != Status::Ok && c.fix.is_empty() {
            c = c.fix(format!(
                "prior emulator create {} --image ID",
                shell_quote(&avd.name)
            ));
        }
        checks.push(c);
    }
    let images = sdk.installed_images();
    if images.is_empty() {
        checks.push(
            Check::new(
                "avds",
                "system images",
                Status::Warn,
                match sdk.root() {
                    Some(r) => format!("none in {}", r.join("system-images").display()),
                    None => "none (no SDK)".to_string(),
                },
            )
            .fix(create_example())
            .note("installs the image with sdkmanager; other image ids: emulator-images/README.md"),
        );
    } else {
        checks.push(Check::new(
            "avds",
            "system images",
            Status::Ok,
            images
                .iter()
                .map(|i| i.package.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
}

/// `prior emulator create` with an image of the catalogue (`emulator-images/images.toml`) for
/// this host's CPU: arm64 on ARM hosts (Apple silicon), x86_64 elsewhere.
fn create_example() -> String {
    let abi = if std::env::consts::ARCH == "aarch64" {
        "arm64"
    } else {
        "x86_64"
    };
    format!("prior emulator create prior-api34 --image api34-google-{abi}")
}

/// The nearest existing ancestor of `path` (relative paths count from the current directory).
fn existing_ancestor(path: &Path) -> Option<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    abs.ancestors().find(|p| p.is_dir()).map(Path::to_path_buf)
}

/// Free KiB from `df -Pk` output: the second line's field before the `NN%` capacity field
/// (so a file system name with spaces does not shift it).
pub fn parse_df_available(output: &str) -> Option<u64> {
    let line = output.lines().nth(1)?;
    let fields: Vec<&str> = line.split_whitespace().collect();
    let cap = fields
        .iter()
        .position(|f| f.ends_with('%') && f[..f.len() - 1].chars().all(|c| c.is_ascii_digit()))?;
    fields.get(cap.checked_sub(1)?)?.parse().ok()
}

fn find_df(env: &DoctorEnv) -> Option<PathBuf> {
    let on_path = env
        .sdk
        .path
        .as_ref()
        .map(|p| {
            std::env::split_paths(p)
                .map(|d| d.join("df"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/bin/df"), PathBuf::from("/bin/df")])
        .find(|p| is_executable(p))
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
}

fn check_disk(
    env: &DoctorEnv,
    what: &str,
    dir: &Path,
    min: u64,
    checks: &mut Vec<Check>,
    ran: &mut Vec<String>,
) {
    let name = format!("free space ({what})");
    let Some(existing) = existing_ancestor(dir) else {
        checks.push(Check::new(
            "disk",
            name,
            Status::Warn,
            format!("{}: no existing directory above it", dir.display()),
        ));
        return;
    };
    let Some(df) = find_df(env) else {
        checks.push(Check::new(
            "disk",
            name,
            Status::Warn,
            "`df` not found; free space not checked".to_string(),
        ));
        return;
    };
    let arg = existing.display().to_string();
    let probe = run_tool(
        &df,
        &["-Pk", &arg],
        env.sdk.path.as_ref(),
        env.tool_timeout,
        ran,
    );
    let free = match probe {
        Ok(p) if p.success() => parse_df_available(&p.stdout).map(|k| k.saturating_mul(1024)),
        _ => None,
    };
    let Some(free) = free else {
        checks.push(Check::new(
            "disk",
            name,
            Status::Warn,
            format!("{}: cannot read `df -Pk` output", existing.display()),
        ));
        return;
    };
    let found = format!("{} free at {}", gib(free), existing.display());
    if free >= min {
        checks.push(Check::new("disk", name, Status::Ok, found));
    } else {
        checks.push(
            Check::new(
                "disk",
                name,
                Status::Warn,
                format!("{found}; at least {} is advised", gib(min)),
            )
            .note("free some space, or move it (ANDROID_AVD_HOME for AVDs, `prior run --out DIR` for bundles)"),
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::time::Instant;

    /// A one-device-list adb server: answers `host:version` with `version` and
    /// `host:devices-l` with `devices`, then closes each connection.
    fn fake_server(version: u32, devices: &'static str) -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(mut c) = conn else { return };
                let mut len = [0u8; 4];
                if c.read_exact(&mut len).is_err() {
                    continue;
                }
                let n = usize::from_str_radix(std::str::from_utf8(&len).unwrap(), 16).unwrap();
                let mut req = vec![0u8; n];
                c.read_exact(&mut req).unwrap();
                let body = match &req[..] {
                    b"host:version" => format!("{version:04x}"),
                    b"host:devices-l" => devices.to_string(),
                    _ => {
                        let _ = c.write_all(b"FAIL0007unknown");
                        continue;
                    }
                };
                let _ = c.write_all(format!("OKAY{:04x}{body}", body.len()).as_bytes());
            }
        });
        port
    }

    fn script(dir: &Path, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn env_in(t: &Path, port: u16) -> DoctorEnv {
        let bin = t.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        DoctorEnv {
            sdk: SdkEnv {
                home: Some(t.join("home")),
                path: Some(bin.into_os_string()),
                ..SdkEnv::default()
            },
            adb_server_socket: None,
            adb_server_port: Some(port.to_string()),
            kvm: t.join("kvm"),
            os: "linux".into(),
            bundle_dir: t.join("runs"),
            tool_timeout: Duration::from_secs(10),
        }
    }

    fn find<'a>(d: &'a Diagnosis, name: &str) -> &'a Check {
        d.checks
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no check {name}: {:#?}", d.checks))
    }

    #[test]
    fn device_states_get_their_fixes_and_only_real_online_devices_count() {
        let port = fake_server(
            41,
            "R58M123                unauthorized usb:1-1 transport_id:1\n\
             emulator-5556          offline transport_id:2\n\
             127.0.0.1:5655         device product:sim model:SIMULATED_Pixel_6 device:sim transport_id:3\n\
             0123\u{1b}[2J          no permissions (missing udev rules? user is in the plugdev group); see [http://developer.android.com/tools/device.html] usb:1-2 transport_id:4\n",
        );
        let t = tempfile::tempdir().unwrap();
        let env = env_in(t.path(), port);
        script(
            &t.path().join("bin"),
            "adb",
            "echo 'Android Debug Bridge version 1.0.41'",
        );
        let d = diagnose(&env);
        assert_eq!(find(&d, "adb").status, Status::Ok, "{:#?}", d.checks);
        assert_eq!(find(&d, "adb server").status, Status::Ok);
        let unauth = find(&d, "R58M123");
        assert_eq!(unauth.status, Status::Fail);
        assert!(
            unauth
                .note
                .as_deref()
                .unwrap()
                .contains("Allow USB debugging")
        );
        let offline = find(&d, "emulator-5556");
        assert_eq!(offline.fix, vec!["adb reconnect offline".to_string()]);
        let sim = find(&d, "127.0.0.1:5655");
        assert_eq!(sim.status, Status::Ok);
        assert!(sim.found.contains("SIMULATED"), "{}", sim.found);
        // The serial with an escape sequence is shown escaped.
        let odd = find(&d, "0123\\u{1b}[2J");
        assert_eq!(odd.status, Status::Fail);
        assert!(odd.fix.iter().any(|f| f.contains("plugdev")));
        assert!(d.facts.adb_usable);
        assert!(d.facts.devices_online.is_empty(), "{:?}", d.facts);
        assert!(!d.ready, "{}", d.verdict);
        assert!(
            d.ran.iter().any(|r| r.ends_with("/bin/adb version")),
            "{:?}",
            d.ran
        );
    }

    #[test]
    fn an_online_real_device_makes_the_machine_ready_even_without_an_sdk() {
        let port = fake_server(
            41,
            "emulator-5554          device product:sdk_gphone64_x86_64 model:sdk_gphone64_x86_64 transport_id:1\n",
        );
        let t = tempfile::tempdir().unwrap();
        let env = env_in(t.path(), port);
        script(
            &t.path().join("bin"),
            "adb",
            "echo 'Android Debug Bridge version 1.0.41'",
        );
        let d = diagnose(&env);
        assert!(d.ready, "{}: {:#?}", d.verdict, d.checks);
        assert_eq!(d.facts.devices_online, vec!["emulator-5554".to_string()]);
        assert_eq!(find(&d, "emulator").status, Status::Fail);
        assert_eq!(find(&d, "ANDROID_HOME").status, Status::Fail);
    }

    #[test]
    fn a_server_of_another_version_is_a_warning_with_its_fix() {
        let port = fake_server(40, "");
        let t = tempfile::tempdir().unwrap();
        let env = env_in(t.path(), port);
        script(
            &t.path().join("bin"),
            "adb",
            "echo 'Android Debug Bridge version 1.0.41'",
        );
        let d = diagnose(&env);
        let s = find(&d, "adb server");
        assert_eq!(s.status, Status::Warn, "{s:?}");
        assert_eq!(s.fix, vec![format!("adb -P {port} kill-server")]);
        assert_eq!(find(&d, "devices").status, Status::Warn);
    }

    #[test]
    fn no_server_and_a_failing_adb_are_problems() {
        // A port nothing listens on.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let t = tempfile::tempdir().unwrap();
        let env = env_in(t.path(), port);
        script(
            &t.path().join("bin"),
            "adb",
            "printf 'adb: broken \\033[31m\\n' >&2; exit 7",
        );
        let d = diagnose(&env);
        let adb = find(&d, "adb");
        assert_eq!(adb.status, Status::Fail);
        assert!(adb.found.contains("exit status 7"), "{}", adb.found);
        assert!(adb.found.contains("\\u{1b}[31m"), "{}", adb.found);
        let s = find(&d, "adb server");
        assert_eq!(s.status, Status::Fail);
        assert!(!d.facts.adb_usable);
        assert!(!d.ready);
        // With a working adb, a stopped server starts on demand.
        script(
            &t.path().join("bin"),
            "adb",
            "echo 'Android Debug Bridge version 1.0.41'",
        );
        let d = diagnose(&env);
        let s = find(&d, "adb server");
        assert_eq!(s.status, Status::Warn, "{s:?}");
        assert_eq!(s.fix, vec![format!("adb -P {port} start-server")]);
        assert!(d.facts.adb_usable);
    }

    #[test]
    fn a_bad_server_address_names_its_variable() {
        let t = tempfile::tempdir().unwrap();
        let mut env = env_in(t.path(), 1);
        env.adb_server_port = Some("99999".into());
        let d = diagnose(&env);
        let s = find(&d, "adb server");
        assert_eq!(s.status, Status::Fail);
        assert_eq!(s.fix, vec!["unset ANDROID_ADB_SERVER_PORT".to_string()]);
    }

    #[test]
    fn kvm_missing_unopenable_and_usable() {
        let t = tempfile::tempdir().unwrap();
        let mut checks = Vec::new();
        assert!(!check_kvm(&t.path().join("kvm"), &mut checks));
        assert!(checks[0].found.contains("does not exist"));
        assert!(checks[0].note.as_deref().unwrap().contains("-accel off"));
        // A directory cannot be opened read-write, even by root.
        assert!(!check_kvm(t.path(), &mut checks));
        assert_eq!(
            checks[1].fix,
            vec!["sudo usermod -aG kvm $USER".to_string()]
        );
        std::fs::write(t.path().join("kvm"), "").unwrap();
        assert!(check_kvm(&t.path().join("kvm"), &mut checks));
        assert_eq!(checks[2].status, Status::Ok);
    }

    #[test]
    fn a_hanging_tool_is_killed_after_the_time_limit() {
        let t = tempfile::tempdir().unwrap();
        script(t.path(), "slow", "sleep 30");
        let mut ran = Vec::new();
        let start = Instant::now();
        let r = run_tool(
            &t.path().join("slow"),
            &["-version"],
            None,
            Duration::from_millis(300),
            &mut ran,
        );
        assert!(r.unwrap_err().contains("no answer"));
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(ran.len(), 1);
    }

    #[test]
    fn the_suggested_image_is_in_the_catalogue() {
        let toml = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../emulator-images/images.toml"),
        )
        .unwrap();
        for abi in ["x86_64", "arm64"] {
            let id = format!("id = \"api34-google-{abi}\"");
            assert!(toml.contains(&id), "{id} missing from the catalogue");
        }
        assert!(
            create_example().starts_with("prior emulator create prior-api34 --image api34-google-")
        );
    }

    #[test]
    fn printable_escapes_controls_and_bidi_but_keeps_text() {
        assert_eq!(printable("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(printable("同意\u{202e}x"), "同意\\u{202e}x");
        assert_eq!(printable("plain/path"), "plain/path");
        assert_eq!(printable("\u{9b}"), "\\u{9b}");
    }

    #[test]
    fn shell_quote_quotes_what_needs_it() {
        assert_eq!(shell_quote("/usr/bin/adb"), "/usr/bin/adb");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(
            shell_quote("system-images;android-34;google_apis;x86_64"),
            "'system-images;android-34;google_apis;x86_64'"
        );
    }

    #[test]
    fn df_output_is_parsed_by_the_capacity_column() {
        let out = "Filesystem     1024-blocks      Used Available Capacity Mounted on\n\
                   /dev/sda1        102400000  51200000  51200000      50% /\n";
        assert_eq!(parse_df_available(out), Some(51_200_000));
        let spaced = "Filesystem 1024-blocks Used Available Capacity Mounted on\n\
                      my disk 10 4 6 40% /mnt/my disk\n";
        assert_eq!(parse_df_available(spaced), Some(6));
        assert_eq!(parse_df_available("Filesystem\n"), None);
        assert_eq!(parse_df_available("h\nx y z\n"), None);
    }

    #[test]
    fn adb_version_line() {
        assert_eq!(
            parse_adb_version("Android Debug Bridge version 1.0.41"),
            Some(41)
        );
        assert_eq!(parse_adb_version("something else"), None);
    }

    #[test]
    fn verdict_needs_adb_and_a_device_or_a_bootable_emulator() {
        let base = Facts {
            adb_usable: true,
            ..Facts::default()
        };
        assert!(!verdict(&base).0);
        let dev = Facts {
            devices_online: vec!["emulator-5554".into()],
            ..base.clone()
        };
        assert!(verdict(&dev).0);
        let emu = Facts {
            emulator: true,
            avds: vec!["p34".into()],
            acceleration: true,
            ..base.clone()
        };
        assert!(verdict(&emu).0);
        let no_accel = Facts {
            acceleration: false,
            ..emu.clone()
        };
        let (ready, why) = verdict(&no_accel);
        assert!(!ready);
        assert!(why.contains("hardware acceleration"), "{why}");
        let no_adb = Facts {
            adb_usable: false,
            ..dev
        };
        assert!(!verdict(&no_adb).0);
    }
}
