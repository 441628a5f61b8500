//! `prior doctor`: can a run on a real device (or an emulator) start on this machine?
//!
//! [`diagnose`] ([`gather`] then [`assess`]) inspects the environment and returns a [`Diagnosis`]: one [`Check`] per thing
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
//! - Disk: `statvfs` (through rustix: the space available to this user, `f_bavail × f_frsize`)
//!   on the nearest existing directory of the AVD home and of the bundle directory. Below
//!   [`MIN_FREE_AVD`] (8 GiB: a system image copy, a 6 GiB userdata partition and snapshots) or
//!   [`MIN_FREE_BUNDLES`] (1 GiB) is a `warn` (it does not decide readiness).
//! - Two halves: [`gather`] looks at the machine (runs tools through `prior_tools`, Prior's one
//!   locator and runner, so the `adb` checked here is the one `prior run` starts) and returns
//!   [`Observations`]; [`assess`] turns them into checks, facts and the verdict without any
//!   I/O, so every decision is unit-tested on hand-made observations.
//! - Everything the environment controls (paths, tool output, device serials) is escaped with
//!   [`printable`] before it is stored, so no terminal control character reaches the output.

use crate::sdk::{Sdk, SdkEnv, Tool};
use prior_device::{
    AdbServer, DeviceEntry, DeviceError, DeviceKind, DeviceState, server_addr_from,
};
use prior_tools::{RunError, display_argv, tail_lines};
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

/// Makes environment-controlled text safe for a terminal, on one line: control characters
/// (C0, DEL, C1, newline included; tab kept) and bidirectional overrides become `\u{1b}`…
/// escapes; everything else is kept (`prior_model::text::escape_line`).
pub fn printable(s: &str) -> String {
    prior_model::text::escape_line(s).into_owned()
}

// Public API (`prior_emulator::doctor::shell_quote`); the one quoter of the crate.
pub use prior_tools::shell_quote;

/// What running a tool gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Exit code (None: killed by a signal).
    pub code: Option<i32>,
    /// Its stdout (at most 64 KiB).
    pub stdout: String,
    /// Its stderr (at most 64 KiB).
    pub stderr: String,
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

/// A tool as found (or not) and, when it was run, what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolFacts {
    /// The tool.
    pub tool: Tool,
    /// Where it is; or, when it was not found, where it was looked for
    /// (`not found; looked in …`).
    pub path: Result<PathBuf, String>,
    /// The argument it was run with and what came back (`None`: not run).
    pub probe: Option<(&'static str, Result<Probe, String>)>,
}

/// The adb server as seen.
#[derive(Debug, Clone)]
pub enum ServerFacts {
    /// `ADB_SERVER_SOCKET` / `ANDROID_ADB_SERVER_PORT` cannot be used.
    BadAddress {
        /// The variable at fault.
        var: &'static str,
        /// Why.
        error: String,
    },
    /// A server answered `host:version`.
    Answered {
        /// Its address.
        addr: SocketAddrV4,
        /// Its version.
        version: u32,
        /// `host:devices-l`, or why it could not be listed.
        devices: Result<Vec<DeviceEntry>, String>,
        /// Build facts of each online device (`getprop`), or why they could not be read.
        builds: Vec<(String, Result<BuildFacts, String>)>,
    },
    /// Nothing listens.
    Unreachable {
        /// The address tried.
        addr: SocketAddrV4,
        /// The connection error.
        why: String,
    },
    /// Something listens but does not speak the adb protocol.
    NotAdb {
        /// The address tried.
        addr: SocketAddrV4,
        /// What went wrong.
        error: String,
    },
}

/// What an online device's build lets Prior see (docs/device-behaviour.md (a), (c)).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildFacts {
    /// `ro.build.version.sdk`.
    pub api_level: Option<u32>,
    /// `ro.build.type`.
    pub build_type: Option<String>,
    /// `ro.debuggable` (`1` → true).
    pub debuggable: Option<bool>,
}

impl BuildFacts {
    /// From `getprop`'s properties.
    pub fn from_props(props: &std::collections::BTreeMap<String, String>) -> BuildFacts {
        let get = |k: &str| props.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        BuildFacts {
            api_level: get("ro.build.version.sdk").and_then(|v| v.parse().ok()),
            build_type: get("ro.build.type").map(str::to_string),
            debuggable: get("ro.debuggable").map(|v| v == "1"),
        }
    }
}

/// Hardware acceleration as seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccelFacts {
    /// Linux: the KVM device.
    Kvm {
        /// `/dev/kvm` (or `PRIOR_DOCTOR_KVM`).
        path: PathBuf,
        /// It exists.
        exists: bool,
        /// Opening it read-write worked, or why not.
        open: Result<(), String>,
    },
    /// macOS: `sysctl -n kern.hv_support`.
    MacHv(Result<Probe, String>),
    /// Windows: not checked.
    Windows,
    /// Another OS: not checked.
    Other(String),
}

/// The SDK root as named by the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkRootFacts {
    /// `ANDROID_HOME` or `ANDROID_SDK_ROOT`.
    pub var: &'static str,
    /// Its value.
    pub path: PathBuf,
    /// It is a directory.
    pub is_dir: bool,
}

/// One AVD as seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvdFacts {
    /// Its name.
    pub name: String,
    /// `target=` of its ini.
    pub target: Option<String>,
    /// Its system image package id (config.ini `image.sysdir.1`).
    pub image: Option<String>,
    /// That image is installed in the SDK.
    pub image_installed: bool,
}

/// Free space where something is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskFacts {
    /// `AVD home` or `bundles`.
    pub what: &'static str,
    /// The directory (may not exist yet).
    pub dir: PathBuf,
    /// Free space wanted (bytes).
    pub min: u64,
    /// Its nearest existing ancestor.
    pub existing: Option<PathBuf>,
    /// Bytes available to this user there (`statvfs`: `f_bavail × f_frsize`), or why unknown.
    pub free: Result<u64, String>,
}

/// Everything `prior doctor` gathers from the machine ([`gather`]) before deciding anything
/// ([`assess`], pure).
#[derive(Debug, Clone)]
pub struct Observations {
    /// `adb` and `adb version`.
    pub adb: ToolFacts,
    /// The adb server and its devices.
    pub server: ServerFacts,
    /// The SDK root, when a variable names one.
    pub sdk_root: Option<SdkRootFacts>,
    /// Warnings about the SDK variables.
    pub sdk_warnings: Vec<String>,
    /// `emulator -version`, `sdkmanager --version`, `avdmanager` (located only).
    pub sdk_tools: Vec<ToolFacts>,
    /// Hardware acceleration.
    pub acceleration: AccelFacts,
    /// The AVD home.
    pub avd_home: PathBuf,
    /// The AVDs there.
    pub avds: Vec<AvdFacts>,
    /// Installed system image package ids.
    pub images: Vec<String>,
    /// `<sdk>/system-images`, when there is an SDK.
    pub images_dir: Option<PathBuf>,
    /// Free space for AVDs and bundles.
    pub disks: Vec<DiskFacts>,
    /// Every command run, shell-quoted.
    pub ran: Vec<String>,
}

/// Largest output kept from a tool.
const MAX_TOOL_OUTPUT: usize = 64 * 1024;

/// Runs `path args…` with stdin closed, `PATH` as in `env`, and a time limit, through
/// Prior's one runner (`prior_tools::run_tool`).
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
    let out = match prior_tools::run_tool(path, args, &env, None, timeout, MAX_TOOL_OUTPUT) {
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

/// Runs every check: [`gather`], then [`assess`].
pub fn diagnose(env: &DoctorEnv) -> Diagnosis {
    assess(&gather(env))
}

/// Looks at the machine: locates and runs the tools, asks the adb server, opens the KVM
/// device, reads the AVD home and the free space. Decides nothing.
pub fn gather(env: &DoctorEnv) -> Observations {
    let sdk = Sdk::locate(env.sdk.clone());
    let mut ran = Vec::new();
    let adb = tool_facts(env, &sdk, Tool::Adb, Some("version"), &mut ran);
    let server = server_facts(env);
    let sdk_root = sdk.root().map(|root| SdkRootFacts {
        var: if env.sdk.android_home.is_some() {
            "ANDROID_HOME"
        } else {
            "ANDROID_SDK_ROOT"
        },
        path: root.to_path_buf(),
        is_dir: root.is_dir(),
    });
    let sdk_tools = [
        (Tool::Emulator, Some("-version")),
        (Tool::Sdkmanager, Some("--version")),
        (Tool::Avdmanager, None),
    ]
    .into_iter()
    .map(|(tool, arg)| tool_facts(env, &sdk, tool, arg, &mut ran))
    .collect();
    let acceleration = match env.os.as_str() {
        "linux" => kvm_facts(&env.kvm),
        "macos" => AccelFacts::MacHv(run_tool(
            Path::new("/usr/sbin/sysctl"),
            &["-n", "kern.hv_support"],
            env.sdk.path.as_ref(),
            env.tool_timeout,
            &mut ran,
        )),
        "windows" => AccelFacts::Windows,
        other => AccelFacts::Other(other.to_string()),
    };
    let avds = sdk
        .avds()
        .iter()
        .map(|avd| {
            let image = avd.image_package();
            AvdFacts {
                name: avd.name.clone(),
                target: avd.target.clone(),
                image_installed: image
                    .as_deref()
                    .is_some_and(|pkg| sdk.image_dir(pkg).is_some()),
                image,
            }
        })
        .collect();
    let disks = [
        ("AVD home", sdk.avd_home(), MIN_FREE_AVD),
        ("bundles", env.bundle_dir.clone(), MIN_FREE_BUNDLES),
    ]
    .into_iter()
    .map(|(what, dir, min)| {
        let existing = existing_ancestor(&dir);
        let free = match &existing {
            Some(e) => free_bytes(e),
            None => Err("no existing directory above it".to_string()),
        };
        DiskFacts {
            what,
            dir,
            min,
            existing,
            free,
        }
    })
    .collect();
    Observations {
        adb,
        server,
        sdk_warnings: sdk.warnings().to_vec(),
        sdk_root,
        sdk_tools,
        acceleration,
        avd_home: sdk.avd_home(),
        avds,
        images: sdk
            .installed_images()
            .into_iter()
            .map(|i| i.package)
            .collect(),
        images_dir: sdk.root().map(|r| r.join("system-images")),
        disks,
        ran,
    }
}

/// Locates `tool` and, with `arg`, runs `tool arg`.
fn tool_facts(
    env: &DoctorEnv,
    sdk: &Sdk,
    tool: Tool,
    arg: Option<&'static str>,
    ran: &mut Vec<String>,
) -> ToolFacts {
    let path = sdk.tool(tool).map_err(|_| looked_text(sdk, tool));
    let probe = match (&path, arg) {
        (Ok(p), Some(arg)) => Some((
            arg,
            run_tool(p, &[arg], env.sdk.path.as_ref(), env.tool_timeout, ran),
        )),
        _ => None,
    };
    ToolFacts { tool, path, probe }
}

fn server_facts(env: &DoctorEnv) -> ServerFacts {
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
            return ServerFacts::BadAddress {
                var,
                error: e.to_string(),
            };
        }
    };
    let server = AdbServer::new(addr);
    match server.version() {
        Ok(version) => {
            let devices = server.devices().map_err(|e| e.to_string());
            let builds = devices
                .as_ref()
                .map(|entries| {
                    entries
                        .iter()
                        .filter(|e| e.state == DeviceState::Device)
                        .map(|e| {
                            let facts = server
                                .device(&e.serial)
                                .and_then(|d| d.getprops())
                                .map(|props| BuildFacts::from_props(&props))
                                .map_err(|e| e.to_string());
                            (e.serial.clone(), facts)
                        })
                        .collect()
                })
                .unwrap_or_default();
            ServerFacts::Answered {
                addr,
                version,
                devices,
                builds,
            }
        }
        Err(DeviceError::ServerUnreachable { source, .. }) => ServerFacts::Unreachable {
            addr,
            why: source.to_string(),
        },
        Err(e) => ServerFacts::NotAdb {
            addr,
            error: e.to_string(),
        },
    }
}

/// Whether the KVM device exists and opens read-write for this user.
fn kvm_facts(kvm: &Path) -> AccelFacts {
    AccelFacts::Kvm {
        path: kvm.to_path_buf(),
        exists: std::fs::metadata(kvm).is_ok(),
        open: std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(kvm)
            .map(|_| ())
            .map_err(|e| e.to_string()),
    }
}

/// Bytes available to this user on the file system of `dir` (`statvfs`).
fn free_bytes(dir: &Path) -> Result<u64, String> {
    #[cfg(unix)]
    {
        let st = rustix::fs::statvfs(dir).map_err(|e| format!("statvfs: {e}"))?;
        Ok(st.f_bavail.saturating_mul(st.f_frsize))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Err("not checked on this OS".to_string())
    }
}

/// Decides: every check, the facts and the verdict, from what [`gather`] saw. Pure: no
/// process, file or network access.
pub fn assess(obs: &Observations) -> Diagnosis {
    let mut checks = Vec::new();
    let mut facts = Facts::default();

    // adb: the tool and its version.
    let client_version = check_adb_tool(&obs.adb, &mut checks);
    let adb_runs = client_version.is_some();
    // The adb server and its devices.
    check_server(
        &obs.server,
        adb_runs,
        client_version.flatten(),
        &mut checks,
        &mut facts,
    );
    // SDK.
    check_sdk(obs, &mut checks, &mut facts);
    // Acceleration.
    facts.acceleration = check_acceleration(&obs.acceleration, &mut checks);
    // AVDs and images.
    check_avds(obs, &mut checks, &mut facts);
    // Disk.
    for disk in &obs.disks {
        check_disk(disk, &mut checks);
    }
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
        ran: obs.ran.clone(),
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
fn check_adb_tool(adb: &ToolFacts, checks: &mut Vec<Check>) -> Option<Option<u32>> {
    let path = match &adb.path {
        Ok(p) => p,
        Err(looked) => {
            checks.push(
                Check::new(
                    "adb",
                    "adb",
                    Status::Fail,
                    looked.clone(),
                )
                .fix("sudo apt-get install adb")
                .fix("sdkmanager platform-tools")
                .note("Debian/Ubuntu package, or the SDK's platform-tools (then put $ANDROID_HOME/platform-tools on PATH)"),
            );
            return None;
        }
    };
    let not_run = Err("not run".to_string());
    let answer = adb.probe.as_ref().map_or(&not_run, |(_, r)| r);
    match answer {
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
    server: &ServerFacts,
    adb_runs: bool,
    client_version: Option<u32>,
    checks: &mut Vec<Check>,
    facts: &mut Facts,
) {
    match server {
        ServerFacts::BadAddress { var, error } => {
            checks.push(
                Check::new("adb", "adb server", Status::Fail, error.clone())
                    .fix(format!("unset {var}"))
                    .note(
                        "ADB_SERVER_SOCKET is tcp:HOST:PORT, ANDROID_ADB_SERVER_PORT a port number",
                    ),
            );
        }
        ServerFacts::Answered {
            addr,
            version: v,
            devices,
            builds,
        } => {
            let (addr, v) = (*addr, *v);
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
            check_devices(devices, checks, facts);
            check_builds(builds, checks);
        }
        ServerFacts::Unreachable { addr, why: source } => {
            let addr = *addr;
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
        ServerFacts::NotAdb { addr, error: e } => {
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

fn check_devices(
    devices: &Result<Vec<DeviceEntry>, String>,
    checks: &mut Vec<Check>,
    facts: &mut Facts,
) {
    let entries = match devices {
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

/// Warnings about what an online device's build hides from Prior: a user build traces no
/// release app's binder calls (`am trace-ipc`, docs/device-behaviour.md (a)), so such runs
/// are INCONCLUSIVE under profiles that require IPC; below API 26 logcat and app-ops differ
/// (Prior adapts, but app-op times are only relative there).
fn check_builds(builds: &[(String, Result<BuildFacts, String>)], checks: &mut Vec<Check>) {
    for (serial, facts) in builds {
        let name = format!("{} build", printable(serial));
        let b = match facts {
            Ok(b) => b,
            Err(e) => {
                checks.push(Check::new(
                    "devices",
                    name,
                    Status::Warn,
                    format!("could not read its build properties: {}", printable(e)),
                ));
                continue;
            }
        };
        let build_type = b.build_type.as_deref().unwrap_or("unknown build type");
        let api = b
            .api_level
            .map_or("unknown API level".to_string(), |a| format!("API {a}"));
        let mut problems = Vec::new();
        if b.debuggable == Some(false) {
            problems.push(
                "a user build (ro.debuggable=0): `am trace-ipc` traces only debuggable apps, so a \
                 release app's binder calls cannot be seen and its runs are INCONCLUSIVE under \
                 profiles that require ipc"
                    .to_string(),
            );
        }
        if b.api_level.is_some_and(|a| a < 26) {
            problems.push(format!(
                "{api} (below Android 8.0): logcat takes no comma lists and app-ops print only \
                 relative times; Prior adapts, but results are coarser"
            ));
        }
        let check = if problems.is_empty() {
            Check::new(
                "devices",
                name,
                Status::Ok,
                format!(
                    "{build_type}, {api}, ro.debuggable={}",
                    b.debuggable
                        .map_or("unknown", |d| if d { "1" } else { "0" })
                ),
            )
        } else {
            Check::new("devices", name, Status::Warn, problems.join("; "))
                .fix(format!("prior selftest --device {}", printable(serial)))
                .note(
                    "shows what this device reveals; a google_apis (userdebug) image of API 26 or \
                     later lets Prior see every source (emulator-images/README.md)",
                )
        };
        checks.push(check);
    }
}

fn check_sdk(obs: &Observations, checks: &mut Vec<Check>, facts: &mut Facts) {
    match &obs.sdk_root {
        Some(SdkRootFacts {
            var,
            path: root,
            is_dir,
        }) => {
            let var = *var;
            let status = if *is_dir {
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
    for w in &obs.sdk_warnings {
        checks.push(Check::new("sdk", "SDK variables", Status::Warn, w.clone()));
    }

    for facts_of in &obs.sdk_tools {
        let tool = facts_of.tool;
        let name = tool.name();
        let path = match &facts_of.path {
            Ok(p) => p,
            Err(looked) => {
                let mut c = Check::new("sdk", name, Status::Fail, looked.clone());
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
        let Some((arg, answer)) = &facts_of.probe else {
            checks.push(Check::new(
                "sdk",
                name,
                Status::Ok,
                path.display().to_string(),
            ));
            continue;
        };
        let check = match answer {
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

fn check_acceleration(accel: &AccelFacts, checks: &mut Vec<Check>) -> bool {
    match accel {
        AccelFacts::Kvm { path, exists, open } => check_kvm(path, *exists, open, checks),
        AccelFacts::MacHv(answer) => match answer {
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
        },
        AccelFacts::Windows => {
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
        AccelFacts::Other(other) => {
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

fn check_kvm(kvm: &Path, exists: bool, open: &Result<(), String>, checks: &mut Vec<Check>) -> bool {
    let shown = kvm.display().to_string();
    if !exists {
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
    match open {
        Ok(()) => {
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

fn check_avds(obs: &Observations, checks: &mut Vec<Check>, facts: &mut Facts) {
    let avd_home = &obs.avd_home;
    let avds = &obs.avds;
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
    for avd in avds {
        facts.avds.push(printable(&avd.name));
        let image = &avd.image;
        let target = avd.target.as_deref().unwrap_or("?");
        let mut c = match image {
            Some(pkg) if !avd.image_installed => Check::new(
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
    let images = &obs.images;
    if images.is_empty() {
        checks.push(
            Check::new(
                "avds",
                "system images",
                Status::Warn,
                match &obs.images_dir {
                    Some(d) => format!("none in {}", d.display()),
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
                .map(String::as_str)
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

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
}

fn check_disk(disk: &DiskFacts, checks: &mut Vec<Check>) {
    let name = format!("free space ({})", disk.what);
    let Some(existing) = &disk.existing else {
        checks.push(Check::new(
            "disk",
            name,
            Status::Warn,
            format!("{}: no existing directory above it", disk.dir.display()),
        ));
        return;
    };
    let free = match &disk.free {
        Ok(free) => *free,
        Err(why) => {
            checks.push(Check::new(
                "disk",
                name,
                Status::Warn,
                format!("{}: free space unknown ({why})", existing.display()),
            ));
            return;
        }
    };
    let found = format!("{} free at {}", gib(free), existing.display());
    if free >= disk.min {
        checks.push(Check::new("disk", name, Status::Ok, found));
    } else {
        checks.push(
            Check::new(
                "disk",
                name,
                Status::Warn,
                format!("{found}; at least {} is advised", gib(disk.min)),
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
        let kvm = |p: &Path, checks: &mut Vec<Check>| check_acceleration(&kvm_facts(p), checks);
        assert!(!kvm(&t.path().join("kvm"), &mut checks));
        assert!(checks[0].found.contains("does not exist"));
        assert!(checks[0].note.as_deref().unwrap().contains("-accel off"));
        // A directory cannot be opened read-write, even by root.
        assert!(!kvm(t.path(), &mut checks));
        assert_eq!(
            checks[1].fix,
            vec!["sudo usermod -aG kvm $USER".to_string()]
        );
        std::fs::write(t.path().join("kvm"), "").unwrap();
        assert!(kvm(&t.path().join("kvm"), &mut checks));
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
        assert_eq!(printable("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\u{a}");
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
    fn free_space_comes_from_statvfs() {
        let t = tempfile::tempdir().unwrap();
        let free = free_bytes(t.path()).unwrap();
        assert!(free > 0, "{free}");
        assert!(free_bytes(&t.path().join("missing")).is_err());
    }

    /// Observations of a machine with nothing wrong but no device and no AVD.
    fn bare() -> Observations {
        Observations {
            adb: ToolFacts {
                tool: Tool::Adb,
                path: Ok("/usr/bin/adb".into()),
                probe: Some((
                    "version",
                    Ok(Probe {
                        code: Some(0),
                        stdout: "Android Debug Bridge version 1.0.41\n".into(),
                        stderr: String::new(),
                    }),
                )),
            },
            server: ServerFacts::Answered {
                addr: prior_device::DEFAULT_SERVER,
                version: 41,
                devices: Ok(Vec::new()),
                builds: Vec::new(),
            },
            sdk_root: None,
            sdk_warnings: Vec::new(),
            sdk_tools: Vec::new(),
            acceleration: AccelFacts::Kvm {
                path: "/dev/kvm".into(),
                exists: true,
                open: Ok(()),
            },
            avd_home: "/h/.android/avd".into(),
            avds: Vec::new(),
            images: Vec::new(),
            images_dir: None,
            disks: vec![DiskFacts {
                what: "bundles",
                dir: "/w/runs".into(),
                min: MIN_FREE_BUNDLES,
                existing: Some("/w".into()),
                free: Ok(MIN_FREE_BUNDLES - 1),
            }],
            ran: vec!["/usr/bin/adb version".into()],
        }
    }

    #[test]
    fn assess_decides_from_observations_alone() {
        let d = assess(&bare());
        assert!(!d.ready, "{d:#?}");
        assert!(d.facts.adb_usable && d.facts.server_running);
        assert_eq!(find(&d, "adb").status, Status::Ok);
        assert_eq!(find(&d, "devices").status, Status::Warn);
        assert_eq!(find(&d, "ANDROID_HOME").status, Status::Fail);
        let disk = find(&d, "free space (bundles)");
        assert_eq!(disk.status, Status::Warn);
        assert!(disk.found.contains("1.0 GiB free at /w"), "{}", disk.found);
        assert_eq!(d.ran, vec!["/usr/bin/adb version".to_string()]);

        // An emulator that runs, one AVD with its image, KVM: ready without a device.
        let mut obs = bare();
        obs.sdk_tools.push(ToolFacts {
            tool: Tool::Emulator,
            path: Ok("/sdk/emulator/emulator".into()),
            probe: Some((
                "-version",
                Ok(Probe {
                    code: Some(0),
                    stdout: "Android emulator version 35.1.4.0\n".into(),
                    stderr: String::new(),
                }),
            )),
        });
        obs.avds.push(AvdFacts {
            name: "p34".into(),
            target: Some("android-34".into()),
            image: Some("system-images;android-34;google_apis;x86_64".into()),
            image_installed: false,
        });
        let d = assess(&obs);
        assert!(d.ready, "{}", d.verdict);
        let avd = find(&d, "p34");
        assert_eq!(avd.status, Status::Warn);
        assert_eq!(
            avd.fix,
            vec!["sdkmanager --install 'system-images;android-34;google_apis;x86_64'".to_string()]
        );
        // The same without KVM access: not ready, and the fix says how.
        obs.acceleration = AccelFacts::Kvm {
            path: "/dev/kvm".into(),
            exists: true,
            open: Err("Permission denied (os error 13)".into()),
        };
        let d = assess(&obs);
        assert!(!d.ready);
        assert_eq!(
            find(&d, "/dev/kvm").fix,
            vec!["sudo usermod -aG kvm $USER".to_string()]
        );
        // A server of another version than the client.
        obs.server = ServerFacts::Answered {
            addr: prior_device::DEFAULT_SERVER,
            version: 40,
            devices: Ok(Vec::new()),
            builds: Vec::new(),
        };
        assert_eq!(find(&assess(&obs), "adb server").status, Status::Warn);
        // Nothing listens and adb is missing: not usable.
        obs.adb.path = Err("not found; looked in PATH (1 directory)".into());
        obs.adb.probe = None;
        obs.server = ServerFacts::Unreachable {
            addr: prior_device::DEFAULT_SERVER,
            why: "connection refused".into(),
        };
        let d = assess(&obs);
        assert!(!d.facts.adb_usable);
        assert_eq!(find(&d, "adb server").status, Status::Fail);
    }

    #[test]
    fn user_builds_and_old_api_levels_are_warned_with_the_selftest_as_fix() {
        let props = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let user = BuildFacts::from_props(&props(&[
            ("ro.build.version.sdk", "34"),
            ("ro.build.type", "user"),
            ("ro.debuggable", "0"),
        ]));
        let old = BuildFacts::from_props(&props(&[
            ("ro.build.version.sdk", "24"),
            ("ro.build.type", "userdebug"),
            ("ro.debuggable", "1"),
        ]));
        let good = BuildFacts::from_props(&props(&[
            ("ro.build.version.sdk", "33"),
            ("ro.build.type", "userdebug"),
            ("ro.debuggable", "1"),
        ]));
        let mut obs = bare();
        obs.server = ServerFacts::Answered {
            addr: prior_device::DEFAULT_SERVER,
            version: 41,
            devices: Ok(Vec::new()),
            builds: vec![
                ("emulator-5554".into(), Ok(user)),
                ("emulator-5556".into(), Ok(old)),
                ("emulator-5558".into(), Ok(good)),
                ("emulator-5560".into(), Err("closed".into())),
            ],
        };
        let d = assess(&obs);
        let u = find(&d, "emulator-5554 build");
        assert_eq!(u.status, Status::Warn);
        assert!(
            u.found.contains("user build") && u.found.contains("INCONCLUSIVE"),
            "{}",
            u.found
        );
        assert_eq!(
            u.fix,
            vec!["prior selftest --device emulator-5554".to_string()]
        );
        let o = find(&d, "emulator-5556 build");
        assert_eq!(o.status, Status::Warn);
        assert!(
            o.found.contains("API 24") && !o.found.contains("user build"),
            "{}",
            o.found
        );
        let g = find(&d, "emulator-5558 build");
        assert_eq!(g.status, Status::Ok);
        assert_eq!(g.found, "userdebug, API 33, ro.debuggable=1");
        assert_eq!(find(&d, "emulator-5560 build").status, Status::Warn);
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
