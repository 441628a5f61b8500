//! Booting, finding, resetting and killing emulators.
//!
//! **Boot** (`emulator` command line, developer.android.com "Start the emulator from the
//! command line", `docs/device-formats.md` §9): `emulator -avd NAME -port P -no-window
//! -no-audio -no-boot-anim -no-snapshot-save -gpu swiftshader_indirect [-wipe-data]
//! [-tcpdump FILE] [-change-locale LOCALE] [-timezone TZ] [extra…]`, started in its own
//! process group with stdin closed and stdout+stderr to `<emulator home>/prior/emulator-P.log`,
//! so it outlives `prior emulator boot`. A JSON state file beside the log
//! (`emulator-P.json`: pid, port, name, log, tcpdump) lets `kill` fall back to signalling the
//! process group. The console port P is even, 5554..=5584, and the adb port is P+1 (the serial is
//! `emulator-P`); a pair is free when both ports can be bound on 127.0.0.1 and adb does not
//! already list `emulator-P`.
//!
//! Flags: `-timezone` is documented ("Set the time zone for the emulated device … in zoneinfo
//! format", emulator command-line docs). `-change-locale` is what most CI projects use
//! (ReactiveCircus/android-emulator-runner passes `-change-locale xx-YY` and then waits for
//! `persist.sys.locale`). **It disables loading a snapshot**: external/qemu
//! `android-qemu2-glue/main.cpp` sets `no_snapshot_load` when the language, country or locale
//! changes, and adds `-loadvm <snapshot>` only without it. So the locale is passed only at the
//! boot that saves the clean snapshot (it is part of that snapshot), never with `-snapshot`.
//! After boot both are checked (`persist.sys.locale`, `persist.sys.timezone`) and a mismatch is
//! logged, not fatal.
//!
//! The emulator announces itself to the adb server named by `ANDROID_ADB_SERVER_PORT`
//! (set in its environment to Prior's server; that the real emulator reads this variable is
//! UNVERIFIED, the default 5037 is what most setups use anyway).
//!
//! **Ready**: adb lists `emulator-P` as `device` and `getprop sys.boot_completed` is `1`.
//! Then: `input keyevent 82` (menu: dismisses an insecure keyguard) and `wm dismiss-keyguard`
//! (both best effort: not every image has them), the three animation scales set to 0
//! (`settings put global window_animation_scale|transition_animation_scale|
//! animator_duration_scale 0`, as android-emulator-runner does), then the console
//! `avd snapshot save prior-clean`. When the AVD already has that snapshot (from an earlier
//! boot, `<avd dir>/snapshots/prior-clean/`) and `-wipe-data` is not asked for, the boot loads
//! it at startup instead (`-snapshot prior-clean`, emulator command-line docs: "-snapshot name
//! … for auto-start") and does not save it again: a boot is then as clean as a reset, and what
//! earlier runs left in userdata never becomes the clean state. A missing snapshot makes the
//! real emulator cold-boot (UNVERIFIED: with a warning only).
//!
//! **The clean mark**: right before `avd snapshot save prior-clean`, Prior sets the
//! non-persistent property `debug.prior.clean=1` ([`CLEAN_MARK_PROP`]). It lives in RAM, which
//! the snapshot holds, so it is back after every snapshot load and absent after any cold boot.
//! After a snapshot boot and after a reset Prior reads it; when it is not `1` the device is not
//! in the snapshot's state (a cold boot of used userdata) and Prior kills the emulator and
//! cold-boots it with `-wipe-data`, which saves a new clean snapshot.
//!
//! **Reset** = console `avd snapshot load prior-clean`, then wait for the device and
//! `sys.boot_completed` again and unlock. Why this is "first launch on a clean device": the
//! snapshot holds the whole guest (RAM, disk overlays) as it was right after the first boot,
//! before any app was installed or run, so loading it discards every app, file, setting and
//! app-op change a run made. UNVERIFIED: that a snapshot saved while the emulator runs with
//! `-no-snapshot-save` is kept and loadable (that flag only disables the automatic save on
//! exit), and the exact KO text when it is missing. On any KO Prior kills the emulator and
//! cold-boots it with `-wipe-data` (factory-fresh userdata) and re-saves the snapshot.
//!
//! **Kill** = console `kill` (authenticated), wait for the process and the adb device to go,
//! then SIGTERM and SIGKILL to the process group in the state file (`kill(-PGID)` through
//! rustix, `prior_tools::kill_group`; only
//! when `/proc/PID/cmdline` still names an emulator, so a recycled pid is never signalled).

use crate::error::LogTail;
use crate::{Console, EmulatorError, Sdk, Tool};
use prior_device::{AdbServer, Cmd, Device, DeviceState};
use prior_tools::{Signal, display_argv, in_own_group};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The first console port the emulator uses.
pub const FIRST_CONSOLE_PORT: u16 = 5554;
/// The last console port (adb port 5585, `ADB_LOCAL_TRANSPORT_MAX_PORT`).
pub const LAST_CONSOLE_PORT: u16 = 5584;
/// The snapshot [`boot`] saves and [`reset`] loads.
pub const CLEAN_SNAPSHOT: &str = "prior-clean";
/// A non-persistent property Prior sets right before saving [`CLEAN_SNAPSHOT`]. It lives in
/// the guest's RAM, so it is there after a snapshot load and gone after any cold boot: after a
/// snapshot boot or a reset, `getprop` of it proves the device is in the clean snapshot's
/// state (and not, say, a cold boot of used userdata).
pub const CLEAN_MARK_PROP: &str = "debug.prior.clean";
/// The value of [`CLEAN_MARK_PROP`] in the clean snapshot.
pub const CLEAN_MARK: &str = "1";

const CONSOLE_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(250);

/// How to boot.
#[derive(Debug, Clone)]
pub struct BootOptions {
    /// Console port (even, 5554..=5584); `None` picks a free pair.
    pub port: Option<u16>,
    /// `-tcpdump FILE`: a pcap of all guest traffic.
    pub tcpdump: Option<PathBuf>,
    /// `-http-proxy URL`: every TCP connection of the guest through this HTTP proxy (Prior's
    /// mitmdump, `http://127.0.0.1:PORT`; developer.android.com, "Set up Android Emulator
    /// networking", "Using the emulator with a proxy"; docs/interception.md).
    pub http_proxy: Option<String>,
    /// `-wipe-data`.
    pub wipe_data: bool,
    /// How long to wait for the boot.
    pub timeout: Duration,
    /// `-change-locale` (e.g. `en-US`).
    pub locale: Option<String>,
    /// `-timezone` (zoneinfo name, e.g. `Europe/Paris`).
    pub timezone: Option<String>,
    /// More emulator flags, appended as given (one argument each).
    pub extra_args: Vec<String>,
}

impl Default for BootOptions {
    fn default() -> Self {
        BootOptions {
            port: None,
            tcpdump: None,
            http_proxy: None,
            wipe_data: false,
            timeout: Duration::from_secs(300),
            locale: None,
            timezone: None,
            extra_args: Vec::new(),
        }
    }
}

/// A running emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    /// The AVD name.
    pub name: String,
    /// The console port.
    pub console_port: u16,
    /// The adb port (console + 1).
    pub adb_port: u16,
    /// `emulator-<console port>`.
    pub serial: String,
    /// The emulator's pid (= its process group), when Prior started it.
    pub pid: Option<u32>,
    /// Its log file, when Prior started it.
    pub log: Option<PathBuf>,
}

/// How [`reset`] brought the device back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reset {
    /// The clean snapshot was loaded.
    Snapshot,
    /// The snapshot could not be loaded (the console said why); the emulator was killed and
    /// cold-booted with `-wipe-data`.
    WipedAndRebooted {
        /// The console's KO reason.
        why: String,
        /// The new emulator.
        running: Running,
    },
}

/// An AVD and whether it runs (for `prior emulator list`).
#[derive(Debug, Clone)]
pub struct AvdStatus {
    /// The AVD.
    pub avd: crate::AvdInfo,
    /// Its system image package id, from config.ini.
    pub image: Option<String>,
    /// The emulator running it, if any.
    pub running: Option<Running>,
}

/// What Prior keeps about an emulator it started (`<emulator home>/prior/emulator-P.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StateFile {
    /// The emulator's pid and process group.
    pub pid: u32,
    /// Console port.
    pub port: u16,
    /// AVD name.
    pub name: String,
    /// Log file.
    pub log: PathBuf,
    /// `-tcpdump` file, if any.
    pub tcpdump: Option<PathBuf>,
}

/// Children this process started, so their exit can be seen (and reaped).
static CHILDREN: Mutex<Vec<Child>> = Mutex::new(Vec::new());

/// `<emulator home>/prior`.
pub fn state_dir(sdk: &Sdk) -> PathBuf {
    sdk.emulator_home().join("prior")
}

fn state_path(sdk: &Sdk, port: u16) -> PathBuf {
    state_dir(sdk).join(format!("emulator-{port}.json"))
}

fn log_path(sdk: &Sdk, port: u16) -> PathBuf {
    state_dir(sdk).join(format!("emulator-{port}.log"))
}

/// Reads the state file for a console port.
pub fn read_state(sdk: &Sdk, port: u16) -> Option<StateFile> {
    let text = std::fs::read_to_string(state_path(sdk, port)).ok()?;
    serde_json::from_str(&text).ok()
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> EmulatorError {
    let path = path.to_path_buf();
    move |source| EmulatorError::Io {
        action,
        path,
        source,
    }
}

fn dev_err(action: &str, serial: &str) -> impl FnOnce(prior_device::DeviceError) -> EmulatorError {
    let (action, serial) = (action.to_string(), serial.to_string());
    move |source| EmulatorError::Device {
        action,
        serial,
        source: Box::new(source),
    }
}

/// Whether both ports can be bound on 127.0.0.1 right now.
pub fn pair_is_free(console_port: u16) -> bool {
    let Some(adb_port) = console_port.checked_add(1) else {
        return false;
    };
    let a = TcpListener::bind(("127.0.0.1", console_port));
    let b = TcpListener::bind(("127.0.0.1", adb_port));
    a.is_ok() && b.is_ok()
}

/// Picks the first even console port in 5554..=5584 whose serial is not in `known` and for
/// which `free(port)` holds.
pub fn pick_port(known: &BTreeSet<u16>, free: impl Fn(u16) -> bool) -> Result<u16, EmulatorError> {
    let mut busy = Vec::new();
    for port in (FIRST_CONSOLE_PORT..=LAST_CONSOLE_PORT).step_by(2) {
        if known.contains(&port) {
            busy.push(format!("{port} (emulator-{port} is attached to adb)"));
        } else if free(port) {
            return Ok(port);
        } else {
            busy.push(format!("{port}/{}", port + 1));
        }
    }
    Err(EmulatorError::Port {
        why: format!(
            "every console/adb pair 5554/5555..5584/5585 is taken: {}",
            busy.join(", ")
        ),
    })
}

fn check_port(port: u16, known: &BTreeSet<u16>) -> Result<(), EmulatorError> {
    if !port.is_multiple_of(2) || !(FIRST_CONSOLE_PORT..=LAST_CONSOLE_PORT).contains(&port) {
        return Err(EmulatorError::Port {
            why: format!("console port {port} is not an even number from 5554 to 5584"),
        });
    }
    if known.contains(&port) {
        return Err(EmulatorError::Port {
            why: format!("emulator-{port} is already attached to adb"),
        });
    }
    if !pair_is_free(port) {
        return Err(EmulatorError::Port {
            why: format!("port {port} or {} is in use on 127.0.0.1", port + 1),
        });
    }
    Ok(())
}

/// Console ports of the `emulator-N` serials adb lists.
fn known_emulators(adb: &AdbServer) -> Result<Vec<(u16, DeviceState)>, EmulatorError> {
    let entries = adb.devices().map_err(dev_err("list devices", "adb"))?;
    Ok(entries
        .into_iter()
        .filter_map(|e| {
            let port = e.serial.strip_prefix("emulator-")?.parse::<u16>().ok()?;
            Some((port, e.state))
        })
        .collect())
}

/// The emulator command line for `name` on `port` (without the program).
pub fn emulator_args(name: &str, port: u16, opts: &BootOptions) -> Vec<String> {
    let mut args: Vec<String> = [
        "-avd",
        name,
        "-port",
        &port.to_string(),
        "-no-window",
        "-no-audio",
        "-no-boot-anim",
        "-no-snapshot-save",
        "-gpu",
        "swiftshader_indirect",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if opts.wipe_data {
        args.push("-wipe-data".into());
    }
    if let Some(t) = &opts.tcpdump {
        args.push("-tcpdump".into());
        args.push(t.display().to_string());
    }
    if let Some(p) = &opts.http_proxy {
        args.push("-http-proxy".into());
        args.push(p.clone());
    }
    if let Some(l) = &opts.locale {
        args.push("-change-locale".into());
        args.push(l.clone());
    }
    if let Some(tz) = &opts.timezone {
        args.push("-timezone".into());
        args.push(tz.clone());
    }
    args.extend(opts.extra_args.iter().cloned());
    args
}

/// The last `n` lines of a log file.
pub fn log_tail(path: &Path, n: usize) -> String {
    let Ok(bytes) = std::fs::read(path) else {
        return format!("(cannot read {})", path.display());
    };
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn tail_of(running: &Running) -> LogTail {
    let path = running.log.clone().unwrap_or_default();
    LogTail {
        tail: log_tail(&path, 15),
        path,
    }
}

/// Boots the AVD `name` and waits until it is ready (see the module docs).
pub fn boot(
    sdk: &Sdk,
    adb: &AdbServer,
    name: &str,
    opts: &BootOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Running, EmulatorError> {
    let Some(avd) = sdk.avd(name)? else {
        return Err(EmulatorError::UnknownAvd {
            name: name.to_string(),
            avd_home: sdk.avd_home(),
        });
    };
    // A clean snapshot from an earlier boot is loaded at startup (`-snapshot NAME`), so a
    // boot is as clean as a reset; without one (or with -wipe-data) the boot saves it.
    let from_clean = !opts.wipe_data && avd.dir.join("snapshots").join(CLEAN_SNAPSHOT).is_dir();
    let requested = opts;
    let mut opts = opts.clone();
    if from_clean {
        opts.extra_args
            .extend(["-snapshot".to_string(), CLEAN_SNAPSHOT.to_string()]);
        // `-change-locale` makes the emulator skip the snapshot (it sets no_snapshot_load;
        // android-qemu2-glue/main.cpp), so the locale is applied once, at the boot that saves
        // the clean snapshot, and never passed on a snapshot boot.
        opts.locale = None;
    }
    let opts = &opts;
    let emulator = sdk.tool(Tool::Emulator)?;
    let known: BTreeSet<u16> = known_emulators(adb)?.into_iter().map(|(p, _)| p).collect();
    let port = match opts.port {
        Some(p) => {
            check_port(p, &known)?;
            p
        }
        None => pick_port(&known, pair_is_free)?,
    };
    let dir = state_dir(sdk);
    fs_err::create_dir_all(&dir).map_err(io("create", &dir))?;
    let log_file = log_path(sdk, port);
    let out = fs_err::File::create(&log_file).map_err(io("create", &log_file))?;
    let err = out.file().try_clone().map_err(io("open", &log_file))?;
    let args = emulator_args(name, port, opts);
    let argv = display_argv(&emulator, &args);
    log(&format!("$ {argv}"));
    log(&format!("  (log: {})", log_file.display()));
    tracing::info!(argv = %argv, log = %log_file.display(), "starting the emulator");

    let mut cmd = Command::new(&emulator);
    cmd.args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(out.into_parts().0))
        .stderr(Stdio::from(err))
        .env("ANDROID_ADB_SERVER_PORT", adb.addr().port().to_string())
        .env("ANDROID_AVD_HOME", sdk.avd_home())
        .env("ANDROID_EMULATOR_HOME", sdk.emulator_home());
    if let Some(root) = sdk.root() {
        cmd.env("ANDROID_HOME", root).env("ANDROID_SDK_ROOT", root);
    }
    if let Some(home) = &sdk.env().home {
        cmd.env("HOME", home);
    }
    in_own_group(&mut cmd);
    let child = cmd
        .spawn()
        .map_err(|source| EmulatorError::Spawn { argv, source })?;
    let pid = child.id();
    let state = StateFile {
        pid,
        port,
        name: name.to_string(),
        log: log_file.clone(),
        tcpdump: opts.tcpdump.clone(),
    };
    let state_file = state_path(sdk, port);
    if let Ok(json) = serde_json::to_string_pretty(&state) {
        fs_err::write(&state_file, json).map_err(io("write", &state_file))?;
    }
    if let Ok(mut children) = CHILDREN.lock() {
        children.push(child);
    }
    let running = Running {
        name: name.to_string(),
        console_port: port,
        adb_port: port + 1,
        serial: format!("emulator-{port}"),
        pid: Some(pid),
        log: Some(log_file.clone()),
    };
    log(&format!("started emulator pid {pid} as {}", running.serial));

    let ready = wait_ready(adb, &running, opts.timeout, log).and_then(|()| {
        if from_clean {
            // The snapshot's own state: verify it before touching anything.
            if let Some(why) = not_clean(adb, &running)? {
                return Ok(Some(why));
            }
            prepare(sdk, adb, &running, requested, log)?;
            log(&format!("booted from the clean snapshot {CLEAN_SNAPSHOT}"));
            return Ok(None);
        }
        prepare(sdk, adb, &running, opts, log)?;
        mark_clean(adb, &running)?;
        let mut console = Console::connect(port, &sdk.console_token_file(), CONSOLE_TIMEOUT)?;
        console.snapshot_save(CLEAN_SNAPSHOT)?;
        log(&format!("saved snapshot {CLEAN_SNAPSHOT}"));
        Ok(None)
    });
    match ready {
        Ok(None) => Ok(running),
        Ok(Some(why)) => {
            log(&format!(
                "{}: not in the clean snapshot's state after booting from it ({why}); killing and cold-booting with -wipe-data",
                running.serial
            ));
            kill(sdk, &running, Duration::from_secs(30))?;
            wait_detached(adb, port);
            let again = BootOptions {
                port: Some(port),
                wipe_data: true,
                ..requested.clone()
            };
            boot(sdk, adb, name, &again, log)
        }
        Err(e) => {
            if process_alive(pid) {
                log(&format!("boot failed ({e}); killing emulator pid {pid}"));
                kill_group(pid, Duration::from_secs(5));
            }
            let _ = std::fs::remove_file(&state_file);
            Err(e)
        }
    }
}

/// Waits until adb lists the device as `device` and `sys.boot_completed` is 1; fails early
/// when the process exits.
fn wait_ready(
    adb: &AdbServer,
    running: &Running,
    timeout: Duration,
    log: &mut dyn FnMut(&str),
) -> Result<(), EmulatorError> {
    let deadline = Instant::now() + timeout;
    let serial = &running.serial;
    let device = adb.device(serial).map_err(dev_err("address", serial))?;
    let mut said = String::new();
    loop {
        if let Some(pid) = running.pid
            && let Some(status) = exit_status(pid)
        {
            return Err(EmulatorError::EmulatorExited {
                name: running.name.clone(),
                status,
                log: Box::new(tail_of(running)),
            });
        }
        let now = match known_emulators(adb) {
            Ok(list) => match list.iter().find(|(p, _)| *p == running.console_port) {
                Some((_, DeviceState::Device)) => match device.getprop("sys.boot_completed") {
                    Ok(v) if v.trim() == "1" => return Ok(()),
                    Ok(v) => format!("sys.boot_completed is {:?}", v.trim()),
                    Err(e) => format!("getprop failed: {e}"),
                },
                Some((_, state)) => format!("adb lists {serial} as {}", state.as_str()),
                None => format!("adb does not list {serial} yet"),
            },
            Err(e) => e.to_string(),
        };
        if now != said {
            log(&format!("waiting: {now}"));
            said.clone_from(&now);
        }
        if Instant::now() >= deadline {
            return Err(EmulatorError::BootTimeout {
                name: running.name.clone(),
                serial: serial.clone(),
                after: timeout,
                why: now,
                log: Box::new(tail_of(running)),
            });
        }
        std::thread::sleep(POLL.min(deadline.saturating_duration_since(Instant::now())));
    }
}

/// Unlocks the screen (best effort).
fn unlock(device: &Device, log: &mut dyn FnMut(&str)) {
    let t = Duration::from_secs(20);
    for (what, cmd) in [
        (
            "input keyevent 82",
            Cmd::new("input").raw("keyevent").int(82),
        ),
        (
            "wm dismiss-keyguard",
            Cmd::new("wm").raw("dismiss-keyguard"),
        ),
    ] {
        match device.shell(&cmd, t) {
            Ok(out) if out.success() => log(&format!("{}: {what}", device.serial())),
            Ok(out) => log(&format!(
                "warning: {what} exited {} on {} ({})",
                out.exit,
                device.serial(),
                out.stderr_text().trim()
            )),
            Err(e) => log(&format!("warning: {what}: {e}")),
        }
    }
}

/// Unlock, animations off, locale/time zone check.
fn prepare(
    _sdk: &Sdk,
    adb: &AdbServer,
    running: &Running,
    opts: &BootOptions,
    log: &mut dyn FnMut(&str),
) -> Result<(), EmulatorError> {
    let serial = &running.serial;
    let device = adb.device(serial).map_err(dev_err("address", serial))?;
    unlock(&device, log);
    for key in [
        "window_animation_scale",
        "transition_animation_scale",
        "animator_duration_scale",
    ] {
        let cmd = Cmd::new("settings")
            .raw("put")
            .raw("global")
            .arg(key)
            .map_err(dev_err("build a command", serial))?
            .raw("0");
        device
            .shell_ok(&cmd, Duration::from_secs(20))
            .map_err(dev_err(&format!("set {key} to 0"), serial))?;
    }
    log(&format!("{serial}: animations off"));
    for (prop, want) in [
        ("persist.sys.locale", &opts.locale),
        ("persist.sys.timezone", &opts.timezone),
    ] {
        if let Some(want) = want {
            match device.getprop(prop) {
                Ok(v) if v.trim() == want => log(&format!("{serial}: {prop} = {want}")),
                Ok(v) => log(&format!(
                    "warning: {serial}: {prop} is {:?}, not {want:?} (the emulator did not apply it)",
                    v.trim()
                )),
                Err(e) => log(&format!("warning: {serial}: getprop {prop}: {e}")),
            }
        }
    }
    Ok(())
}

/// Every `emulator-N` device adb lists, with the AVD name from the console (`avd name`) or,
/// when the console does not answer, from Prior's state file.
pub fn running(sdk: &Sdk, adb: &AdbServer) -> Result<Vec<Running>, EmulatorError> {
    let mut out = Vec::new();
    for (port, _state) in known_emulators(adb)? {
        let state = read_state(sdk, port).filter(|s| process_alive(s.pid));
        let name = Console::connect(port, &sdk.console_token_file(), Duration::from_secs(3))
            .and_then(|mut c| c.avd_name())
            .ok()
            .or_else(|| state.as_ref().map(|s| s.name.clone()))
            .unwrap_or_default();
        let state = state.filter(|s| s.name == name);
        out.push(Running {
            name,
            console_port: port,
            adb_port: port.saturating_add(1),
            serial: format!("emulator-{port}"),
            pid: state.as_ref().map(|s| s.pid),
            log: state.map(|s| s.log),
        });
    }
    Ok(out)
}

/// The running emulator of AVD `name`, if any.
pub fn find(sdk: &Sdk, adb: &AdbServer, name: &str) -> Result<Option<Running>, EmulatorError> {
    Ok(running(sdk, adb)?.into_iter().find(|r| r.name == name))
}

/// Brings a running emulator back to its clean snapshot (see the module docs). `opts` is
/// used only when the snapshot cannot be loaded and the AVD is cold-booted with
/// `-wipe-data` on the same port (its `tcpdump` defaults to the one in the state file).
pub fn reset(
    sdk: &Sdk,
    adb: &AdbServer,
    running: &Running,
    opts: &BootOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Reset, EmulatorError> {
    let mut console = Console::connect(
        running.console_port,
        &sdk.console_token_file(),
        CONSOLE_TIMEOUT,
    )?;
    log(&format!(
        "{}: console avd snapshot load {CLEAN_SNAPSHOT}",
        running.serial
    ));
    match console.snapshot_load(CLEAN_SNAPSHOT) {
        Ok(_) => {
            drop(console);
            // The guest restarts from the snapshot: adb may drop and re-add the transport.
            let r = Running {
                pid: running
                    .pid
                    .or_else(|| read_state(sdk, running.console_port).map(|s| s.pid)),
                ..running.clone()
            };
            wait_ready(adb, &r, opts.timeout, log)?;
            match not_clean(adb, running)? {
                None => {
                    let device = adb
                        .device(&running.serial)
                        .map_err(dev_err("address", &running.serial))?;
                    unlock(&device, log);
                    Ok(Reset::Snapshot)
                }
                Some(why) => wipe_and_reboot(sdk, adb, running, opts, why, log),
            }
        }
        Err(EmulatorError::ConsoleKo { reason, .. }) => {
            drop(console);
            wipe_and_reboot(sdk, adb, running, opts, format!("KO: {reason}"), log)
        }
        Err(e) => Err(e),
    }
}

/// Kills `running` and cold-boots its AVD with `-wipe-data` on the same port (which saves a
/// new clean snapshot). Its `-tcpdump` is `opts.tcpdump` only: a capture file belongs to the
/// recording it was made for, and the one named in the state file may have been handed over
/// (and deleted) already.
fn wipe_and_reboot(
    sdk: &Sdk,
    adb: &AdbServer,
    running: &Running,
    opts: &BootOptions,
    why: String,
    log: &mut dyn FnMut(&str),
) -> Result<Reset, EmulatorError> {
    log(&format!(
        "{}: the clean snapshot {CLEAN_SNAPSHOT} cannot be used ({why}); killing and cold-booting with -wipe-data",
        running.serial
    ));
    kill(sdk, running, Duration::from_secs(30))?;
    wait_detached(adb, running.console_port);
    let again = BootOptions {
        port: Some(running.console_port),
        wipe_data: true,
        ..opts.clone()
    };
    let fresh = boot(sdk, adb, &running.name, &again, log)?;
    Ok(Reset::WipedAndRebooted {
        why,
        running: fresh,
    })
}

/// Waits (up to 10 s) until adb no longer lists `emulator-<port>`: adb notices the closed
/// transport a moment after the emulator exits, and the port is reused at once.
fn wait_detached(adb: &AdbServer, port: u16) {
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until
        && known_emulators(adb).is_ok_and(|l| l.iter().any(|(p, _)| *p == port))
    {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sets [`CLEAN_MARK_PROP`] (right before the clean snapshot is saved).
fn mark_clean(adb: &AdbServer, running: &Running) -> Result<(), EmulatorError> {
    let serial = &running.serial;
    let device = adb.device(serial).map_err(dev_err("address", serial))?;
    let prop =
        prior_device::PropName::new(CLEAN_MARK_PROP).map_err(dev_err("name a property", serial))?;
    device
        .shell_ok(
            &Cmd::new("setprop").prop(&prop).raw(CLEAN_MARK),
            Duration::from_secs(20),
        )
        .map_err(dev_err(&format!("set {CLEAN_MARK_PROP}"), serial))?;
    Ok(())
}

/// `None` when the device shows the clean snapshot's [`CLEAN_MARK_PROP`]; else why not.
fn not_clean(adb: &AdbServer, running: &Running) -> Result<Option<String>, EmulatorError> {
    let serial = &running.serial;
    let device = adb.device(serial).map_err(dev_err("address", serial))?;
    let value = device
        .getprop(CLEAN_MARK_PROP)
        .map_err(dev_err(&format!("read {CLEAN_MARK_PROP}"), serial))?;
    Ok(if value.trim() == CLEAN_MARK {
        None
    } else {
        Some(format!(
            "{CLEAN_MARK_PROP} is {:?}, not {CLEAN_MARK:?}: this is a cold boot, not the snapshot",
            value.trim()
        ))
    })
}

/// Stops an emulator: console `kill`, then the process group (see the module docs).
pub fn kill(sdk: &Sdk, running: &Running, timeout: Duration) -> Result<(), EmulatorError> {
    let port = running.console_port;
    let state = read_state(sdk, port);
    let pid = running.pid.or_else(|| state.as_ref().map(|s| s.pid));
    let deadline = Instant::now() + timeout;
    let console_result = Console::connect(
        port,
        &sdk.console_token_file(),
        CONSOLE_TIMEOUT.min(timeout),
    )
    .and_then(Console::kill);
    let gone = |pid: Option<u32>| {
        let console_gone = !console_listening(port);
        let process_gone = pid.is_none_or(|p| !process_alive(p));
        console_gone && process_gone
    };
    let half = Instant::now() + timeout / 2;
    while !gone(pid) && Instant::now() < half {
        std::thread::sleep(Duration::from_millis(100));
    }
    if !gone(pid)
        && let Some(pid) = pid
    {
        kill_group(pid, deadline.saturating_duration_since(Instant::now()));
    }
    let still = pid.is_some_and(process_alive);
    if !still {
        let _ = std::fs::remove_file(state_path(sdk, port));
    }
    if still {
        return Err(EmulatorError::Kill {
            serial: running.serial.clone(),
            why: format!(
                "process group {} survived the console kill ({}), SIGTERM and SIGKILL",
                pid.unwrap_or(0),
                match &console_result {
                    Ok(()) => "accepted".to_string(),
                    Err(e) => e.to_string(),
                }
            ),
        });
    }
    if pid.is_none() {
        // Not started by Prior: only the console could stop it.
        console_result?;
        if console_listening(port) {
            return Err(EmulatorError::Kill {
                serial: running.serial.clone(),
                why: "the console accepted `kill` but still answers, and no pid is known".into(),
            });
        }
    }
    Ok(())
}

fn console_listening(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(300),
    )
    .is_ok()
}

/// `Some(status)` when `pid` is a child of ours that has exited (reaped here), or a
/// process that no longer exists.
fn exit_status(pid: u32) -> Option<String> {
    if let Ok(mut children) = CHILDREN.lock()
        && let Some(i) = children.iter().position(|c| c.id() == pid)
    {
        return match children[i].try_wait() {
            Ok(Some(status)) => {
                // Reaped by the try_wait just above.
                #[allow(clippy::zombie_processes)]
                children.remove(i);
                Some(status.to_string())
            }
            Ok(None) => None,
            Err(e) => Some(format!("unknown: {e}")),
        };
    }
    (!os_process_alive(pid)).then(|| "exited".to_string())
}

/// Whether `pid` still runs (a zombie child counts as gone).
pub fn process_alive(pid: u32) -> bool {
    exit_status(pid).is_none()
}

fn os_process_alive(pid: u32) -> bool {
    let proc_dir = Path::new("/proc");
    if proc_dir.is_dir() {
        return match std::fs::read_to_string(proc_dir.join(pid.to_string()).join("stat")) {
            // Field 3, after the parenthesised command name, is the state; Z = zombie.
            Ok(stat) => stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z" && state != "X"),
            Err(_) => false,
        };
    }
    prior_tools::process_exists(pid)
}

/// Whether `pid` looks like an emulator (so a recycled pid is not signalled). Without
/// `/proc` this cannot be checked and is assumed.
fn looks_like_emulator(pid: u32) -> bool {
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).contains("emulator"),
        Err(_) => !Path::new("/proc").is_dir(),
    }
}

/// TERM then KILL the process group `pgid` (= the emulator's pid), waiting up to `grace`.
fn kill_group(pgid: u32, grace: Duration) {
    if !looks_like_emulator(pgid) {
        return;
    }
    for (signal, wait) in [
        (Signal::Term, grace.max(Duration::from_secs(1))),
        (Signal::Kill, Duration::from_secs(5)),
    ] {
        prior_tools::kill_group(pgid, signal);
        let until = Instant::now() + wait;
        while Instant::now() < until {
            if !process_alive(pgid) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Every AVD with its image and the emulator running it (when adb answers).
pub fn list(sdk: &Sdk, adb: &AdbServer) -> Vec<AvdStatus> {
    let runs = running(sdk, adb).unwrap_or_default();
    sdk.avds()
        .into_iter()
        .map(|avd| AvdStatus {
            image: avd.image_package(),
            running: runs.iter().find(|r| r.name == avd.name).cloned(),
            avd,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn listener_pair() -> (TcpListener, u16) {
        // Find a pair in the emulator range that is free now and occupy its adb port.
        for port in (FIRST_CONSOLE_PORT..=LAST_CONSOLE_PORT).step_by(2) {
            if pair_is_free(port)
                && let Ok(l) = TcpListener::bind(("127.0.0.1", port + 1))
            {
                return (l, port);
            }
        }
        panic!("no free emulator port pair on this machine");
    }

    #[test]
    fn pick_port_skips_known_serials_and_busy_pairs() {
        let known: BTreeSet<u16> = [5554].into_iter().collect();
        let p = pick_port(&known, |p| p != 5556).unwrap();
        assert_eq!(p, 5558);
        let err = pick_port(&BTreeSet::new(), |_| false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("every console/adb pair"), "{err}");
        assert!(err.contains("5584/5585"), "{err}");
    }

    #[test]
    fn a_pair_with_its_adb_port_taken_is_not_free() {
        let (held, port) = listener_pair();
        assert!(!pair_is_free(port));
        let known = BTreeSet::new();
        let picked = pick_port(&known, pair_is_free).unwrap();
        assert_ne!(picked, port);
        let err = check_port(port, &known).unwrap_err().to_string();
        assert!(err.contains("in use"), "{err}");
        drop(held);
        assert!(
            check_port(5555, &known)
                .unwrap_err()
                .to_string()
                .contains("even")
        );
        assert!(check_port(5600, &known).is_err());
        let known: BTreeSet<u16> = [port].into_iter().collect();
        assert!(
            check_port(port, &known)
                .unwrap_err()
                .to_string()
                .contains("attached")
        );
    }

    #[test]
    fn the_command_line_is_the_documented_one() {
        let opts = BootOptions {
            tcpdump: Some("/tmp/n.pcap".into()),
            http_proxy: Some("http://127.0.0.1:8089".into()),
            wipe_data: true,
            locale: Some("de-DE".into()),
            timezone: Some("Europe/Berlin".into()),
            extra_args: vec!["-no-metrics".into()],
            ..BootOptions::default()
        };
        assert_eq!(
            emulator_args("p34", 5556, &opts).join(" "),
            "-avd p34 -port 5556 -no-window -no-audio -no-boot-anim -no-snapshot-save \
             -gpu swiftshader_indirect -wipe-data -tcpdump /tmp/n.pcap -http-proxy http://127.0.0.1:8089 -change-locale de-DE \
             -timezone Europe/Berlin -no-metrics"
        );
    }

    #[test]
    fn log_tail_keeps_the_last_lines() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("l");
        std::fs::write(&p, "1\n2\n3\n4\n").unwrap();
        assert_eq!(log_tail(&p, 2), "3\n4");
        assert!(log_tail(&t.path().join("none"), 2).contains("cannot read"));
    }
}
