//! One device reached through the adb server.

use crate::error::{DeviceError, short};
use crate::marker::{MarkerFilter, Wrap, new_token, random_hex, wrap};
use crate::quote::{Cmd, PackageName, PropName};
use crate::server::{DeviceState, check_serial, host_query, parse_devices};
use crate::stream::{StreamHandle, start_stream};
use adb_client::ADBDeviceExt;
use adb_client::server_device::ADBServerDevice;
use prior_parse::clock::{parse_date_output, parse_utc_offset};
use prior_parse::pm::{PmReply, UninstallReply};
use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddrV4;
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Largest stdout (or stderr) [`Device::shell`] keeps (use [`Device::shell_stream`] or
/// [`Device::pull_to_file`] for more).
pub const MAX_OUTPUT: usize = 256 << 20;

/// Longest command line accepted (the smart-socket request is limited to 65535 bytes,
/// including the `shell,v2,TERM=…,raw:` prefix and Prior's marker wrapper).
pub const MAX_COMMAND: usize = 60_000;

/// How long cleanup commands (kill, rm) may take.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(5);

/// The result of a shell command that ran to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Standard output, without Prior's markers.
    pub stdout: Vec<u8>,
    /// Standard error (shell v2 only; on shell v1 devices it is mixed into `stdout`).
    pub stderr: Vec<u8>,
    /// Exit status (from Prior's marker, so reliable on v1 and v2 devices alike).
    pub exit: i32,
}

impl Output {
    /// Whether the exit status is 0.
    pub fn success(&self) -> bool {
        self.exit == 0
    }

    /// stdout as text (invalid UTF-8 replaced).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// stderr as text (invalid UTF-8 replaced).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// What kind of device this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    /// An Android emulator (serial `emulator-N`, or `ro.kernel.qemu`/`ro.boot.qemu` = 1).
    Emulator,
    /// Prior's simulated handset (`ro.product.model` contains `SIMULATED`).
    Simulated,
    /// Anything else: a real handset.
    Physical,
}

impl DeviceKind {
    /// Classifies a device from its serial, model and qemu properties. The model check comes
    /// first: the simulated handset may be reached as `emulator-N`.
    pub fn classify(serial: &str, model: Option<&str>, qemu: bool) -> DeviceKind {
        if model.is_some_and(|m| m.to_ascii_uppercase().contains("SIMULATED")) {
            DeviceKind::Simulated
        } else if qemu || serial.starts_with("emulator-") {
            DeviceKind::Emulator
        } else {
            DeviceKind::Physical
        }
    }

    /// `emulator`, `simulated` or `physical`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Emulator => "emulator",
            DeviceKind::Simulated => "simulated",
            DeviceKind::Physical => "physical",
        }
    }
}

/// Facts about a device, for the bundle's `meta.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFacts {
    /// adb serial.
    pub serial: String,
    /// `ro.product.model`.
    pub model: Option<String>,
    /// `ro.product.manufacturer`.
    pub manufacturer: Option<String>,
    /// `ro.build.version.sdk`.
    pub api_level: Option<u32>,
    /// `ro.build.version.release`.
    pub release: Option<String>,
    /// `ro.build.fingerprint`.
    pub fingerprint: Option<String>,
    /// `ro.product.cpu.abi`.
    pub abi: Option<String>,
    /// `persist.sys.locale`, else `ro.product.locale`.
    pub locale: Option<String>,
    /// `persist.sys.timezone` (e.g. `Asia/Shanghai`).
    pub timezone: Option<String>,
    /// Device UTC offset in seconds now (`date +%z`).
    pub utc_offset_s: Option<i32>,
    /// `ro.kernel.qemu` or `ro.boot.qemu` is `1`.
    pub qemu: bool,
    /// `sys.boot_completed` is `1`.
    pub boot_completed: bool,
    /// Emulator, simulated or physical.
    pub kind: DeviceKind,
    /// Every property (`getprop`), for the record.
    pub props: BTreeMap<String, String>,
    /// `getprop`'s stdout exactly as the device printed it (for `raw/device/getprop.txt`).
    pub getprop_raw: Vec<u8>,
}

/// One reading of the device clock, bracketed by host clock readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockSample {
    /// Device wall clock, µs since the epoch.
    pub device_us: i64,
    /// Host wall clock just before the request, µs since the epoch.
    pub host_before_us: i64,
    /// Host wall clock just after the reply, µs since the epoch.
    pub host_after_us: i64,
    /// Whether the device printed sub-second digits (`date +%s.%N`); when `false`,
    /// `device_us` is whole seconds.
    pub subsecond: bool,
}

impl ClockSample {
    /// Estimated device − host offset in µs (device time at the midpoint of the request).
    pub fn offset_us(&self) -> i64 {
        self.device_us - (self.host_before_us + (self.host_after_us - self.host_before_us) / 2)
    }

    /// Half the round trip, in µs (the offset's uncertainty from timing alone; add 1 s when
    /// `subsecond` is false).
    pub fn uncertainty_us(&self) -> i64 {
        (self.host_after_us - self.host_before_us) / 2
    }
}

/// What [`Device::uninstall`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uninstalled {
    /// The package was installed and is now removed.
    Removed,
    /// The package was not installed.
    NotInstalled,
}

/// Host wall clock, µs since the epoch.
pub fn host_now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// A device reached through the adb server. Cheap to clone; every operation opens its own
/// connection, so one `Device` may be used from many threads at once. All calls block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    serial: String,
    server: SocketAddrV4,
}

/// Collects stdout through the marker filter and stderr, shared with the worker thread.
#[derive(Default)]
struct Collected {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    overflow: bool,
}

struct Collector {
    shared: Arc<Mutex<(MarkerFilter, Collected)>>,
    stderr: bool,
}

impl Write for Collector {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut guard = self
            .shared
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?;
        let (filter, c) = &mut *guard;
        if self.stderr {
            if c.stderr.len() + buf.len() > MAX_OUTPUT {
                c.overflow = true;
            } else {
                c.stderr.extend_from_slice(buf);
            }
        } else {
            let mut out = Vec::new();
            filter.feed(buf, &mut out);
            if c.stdout.len() + out.len() > MAX_OUTPUT {
                c.overflow = true;
            } else {
                c.stdout.extend_from_slice(&out);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Device {
    /// A device by serial on the given adb server (nothing is sent yet).
    pub fn new(serial: &str, server: SocketAddrV4) -> Result<Device, DeviceError> {
        check_serial(serial)?;
        Ok(Device {
            serial: serial.to_owned(),
            server,
        })
    }

    /// The adb serial.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The adb server address.
    pub fn server(&self) -> SocketAddrV4 {
        self.server
    }

    fn adb(&self) -> ADBServerDevice {
        ADBServerDevice::new(self.serial.clone(), Some(self.server))
    }

    fn adb_err(&self, op: &'static str, e: impl std::fmt::Display) -> DeviceError {
        DeviceError::Adb {
            op,
            serial: self.serial.clone(),
            message: e.to_string(),
        }
    }

    /// The device's state as the adb server sees it (`host-serial:S:get-state`).
    pub fn state(&self) -> Result<DeviceState, DeviceError> {
        let raw = host_query(
            self.server,
            &format!("host-serial:{}:get-state", self.serial),
        )?;
        let text = String::from_utf8_lossy(&raw).trim().to_owned();
        Ok(parse_devices(&format!("{}\t{}", self.serial, text))
            .pop()
            .map_or(DeviceState::Other(text), |e| e.state))
    }

    /// Runs a command and waits for it (at most `timeout`). The exit status comes from Prior's
    /// marker; output that ends without it is [`DeviceError::CutOff`]. On timeout the remote
    /// command and its children are killed over a second connection and
    /// [`DeviceError::Timeout`] is returned; if even that does not end the call, its thread is
    /// given up.
    pub fn shell(&self, cmd: &Cmd, timeout: Duration) -> Result<Output, DeviceError> {
        let command = short(cmd.as_str());
        let span = tracing::debug_span!("adb", serial = %self.serial, service = "shell", command = %command);
        let _entered = span.enter();
        let started = Instant::now();
        let result = self.shell_inner(cmd, timeout);
        let millis = started.elapsed().as_millis() as u64;
        match &result {
            Ok(out) => tracing::debug!(
                serial = %self.serial,
                service = "shell",
                command = %command,
                exit = out.exit,
                millis,
                "device command ended"
            ),
            Err(e) => tracing::info!(
                serial = %self.serial,
                service = "shell",
                command = %command,
                error = %e,
                millis,
                "device command failed"
            ),
        }
        result
    }

    fn shell_inner(&self, cmd: &Cmd, timeout: Duration) -> Result<Output, DeviceError> {
        let token = new_token();
        let line = wrap(cmd, &token, Wrap::Plain)?;
        if line.len() > MAX_COMMAND {
            return Err(DeviceError::Unsafe {
                what: "a command",
                value: short(cmd.as_str()),
                why: "the command line is too long for the adb protocol",
            });
        }
        let shared = Arc::new(Mutex::new((
            MarkerFilter::new(&token),
            Collected::default(),
        )));
        let (tx, rx) = mpsc::channel();
        let mut dev = self.adb();
        let mut out_w = Collector {
            shared: Arc::clone(&shared),
            stderr: false,
        };
        let mut err_w = Collector {
            shared: Arc::clone(&shared),
            stderr: true,
        };
        let spawned = std::thread::Builder::new()
            .name(format!("adb-shell {}", self.serial))
            .spawn(move || {
                let r = dev
                    .shell_command(&line, Some(&mut out_w), Some(&mut err_w))
                    .map_err(|e| e.to_string());
                let _ = tx.send(r);
            });
        if let Err(e) = spawned {
            return Err(self.adb_err("start a shell thread", e));
        }
        let result = rx.recv_timeout(timeout);
        let mut guard = shared
            .lock()
            .map_err(|_| self.adb_err("run a shell command", "poisoned lock"))?;
        let (filter, collected) = &mut *guard;
        match result {
            Ok(r) => {
                let mut rest = Vec::new();
                filter.finish(&mut rest);
                collected.stdout.extend_from_slice(&rest);
                if collected.overflow {
                    return Err(DeviceError::BadOutput {
                        serial: self.serial.clone(),
                        command: short(cmd.as_str()),
                        why: format!("output larger than {MAX_OUTPUT} bytes"),
                    });
                }
                match (filter.rc(), r) {
                    (Some(exit), _) => Ok(Output {
                        stdout: std::mem::take(&mut collected.stdout),
                        stderr: std::mem::take(&mut collected.stderr),
                        exit,
                    }),
                    (None, Err(e)) => Err(self.adb_err("run a shell command", e)),
                    (None, Ok(_)) => Err(DeviceError::CutOff {
                        serial: self.serial.clone(),
                        command: short(cmd.as_str()),
                    }),
                }
            }
            Err(_) => {
                let pid = filter.pid();
                drop(guard);
                if let Some(pid) = pid {
                    self.kill_tree(pid, true);
                }
                let _ = rx.recv_timeout(Duration::from_secs(2));
                Err(DeviceError::Timeout {
                    serial: self.serial.clone(),
                    command: short(cmd.as_str()),
                    after: timeout,
                })
            }
        }
    }

    /// [`Device::shell`], requiring exit status 0.
    pub fn shell_ok(&self, cmd: &Cmd, timeout: Duration) -> Result<Output, DeviceError> {
        let out = self.shell(cmd, timeout)?;
        if out.success() {
            Ok(out)
        } else {
            let mut msg = out.stderr_text().trim().to_owned();
            if msg.is_empty() {
                msg = out.stdout_text().trim().to_owned();
            }
            Err(DeviceError::CommandFailed {
                serial: self.serial.clone(),
                command: short(cmd.as_str()),
                exit: out.exit,
                stderr: short(&msg),
            })
        }
    }

    /// Kills a remote process (and its direct children) over a new connection; best effort.
    pub(crate) fn kill_tree(&self, pid: u32, hard: bool) {
        let sig: &'static str = if hard { "-9" } else { "-15" };
        let cmd = Cmd::new("pkill")
            .raw(sig)
            .raw("-P")
            .int(i64::from(pid))
            .then(Cmd::new("kill").raw(sig).int(i64::from(pid)));
        let _ = self.shell(&cmd, CLEANUP_TIMEOUT);
    }

    /// Starts a long-running command (e.g. `logcat`) whose stdout is written to `sink` as it
    /// arrives, on a dedicated thread. The command is `exec`ed, so its pid is known and
    /// [`StreamHandle::stop`] can kill it. Returns once the remote pid is known (at most 10 s).
    pub fn shell_stream(
        &self,
        cmd: &Cmd,
        sink: Box<dyn Write + Send>,
    ) -> Result<StreamHandle, DeviceError> {
        let token = new_token();
        let line = wrap(cmd, &token, Wrap::Exec)?;
        if line.len() > MAX_COMMAND {
            return Err(DeviceError::Unsafe {
                what: "a command",
                value: short(cmd.as_str()),
                why: "the command line is too long for the adb protocol",
            });
        }
        let command = short(cmd.as_str());
        tracing::debug!(serial = %self.serial, service = "shell (stream)", command = %command, "device stream starting");
        start_stream(self.clone(), self.adb(), line, token, command, sink)
    }

    /// `getprop NAME` (empty string when unset).
    pub fn getprop(&self, name: &str) -> Result<String, DeviceError> {
        let prop = PropName::new(name)?;
        let out = self.shell_ok(&Cmd::new("getprop").prop(&prop), Duration::from_secs(10))?;
        Ok(out.stdout_text().trim_end_matches(['\r', '\n']).to_owned())
    }

    /// Every property (`getprop` without arguments).
    pub fn getprops(&self) -> Result<BTreeMap<String, String>, DeviceError> {
        let out = self.getprops_raw()?;
        Ok(prior_parse::pm::parse_getprop(&String::from_utf8_lossy(&out)).to_map())
    }

    /// `getprop` without arguments: its stdout exactly as the device printed it.
    pub fn getprops_raw(&self) -> Result<Vec<u8>, DeviceError> {
        Ok(self
            .shell_ok(&Cmd::new("getprop"), Duration::from_secs(15))?
            .stdout)
    }

    /// Facts for the bundle: model, API level, fingerprint, ABI, locale, time zone, offset…
    pub fn facts(&self) -> Result<DeviceFacts, DeviceError> {
        let raw = self.getprops_raw()?;
        let props = prior_parse::pm::parse_getprop(&String::from_utf8_lossy(&raw)).to_map();
        let get = |k: &str| props.get(k).filter(|v| !v.is_empty()).cloned();
        let tz = self.shell(&Cmd::new("date").raw("+%z"), Duration::from_secs(10))?;
        let utc_offset_s = parse_utc_offset(tz.stdout_text().trim());
        let model = get("ro.product.model");
        let qemu = get("ro.kernel.qemu").as_deref() == Some("1")
            || get("ro.boot.qemu").as_deref() == Some("1");
        Ok(DeviceFacts {
            serial: self.serial.clone(),
            kind: DeviceKind::classify(&self.serial, model.as_deref(), qemu),
            model,
            manufacturer: get("ro.product.manufacturer"),
            api_level: get("ro.build.version.sdk").and_then(|v| v.trim().parse().ok()),
            release: get("ro.build.version.release"),
            fingerprint: get("ro.build.fingerprint"),
            abi: get("ro.product.cpu.abi"),
            locale: get("persist.sys.locale").or_else(|| get("ro.product.locale")),
            timezone: get("persist.sys.timezone"),
            utc_offset_s,
            qemu,
            boot_completed: get("sys.boot_completed").as_deref() == Some("1"),
            props,
            getprop_raw: raw,
        })
    }

    /// Waits until the device is listed as ready and `sys.boot_completed` is `1`.
    pub fn wait_booted(&self, timeout: Duration) -> Result<(), DeviceError> {
        let deadline = Instant::now() + timeout;
        loop {
            let why = match self.state() {
                Ok(DeviceState::Device) => match self.getprop("sys.boot_completed") {
                    Ok(v) if v.trim() == "1" => return Ok(()),
                    Ok(v) => format!("sys.boot_completed is {:?}", v.trim()),
                    Err(e) => e.to_string(),
                },
                Ok(state) => format!("the device is {}", state.as_str()),
                Err(e) => e.to_string(),
            };
            if Instant::now() >= deadline {
                return Err(DeviceError::NotBooted {
                    serial: self.serial.clone(),
                    after: timeout,
                    why,
                });
            }
            std::thread::sleep(
                Duration::from_millis(500).min(deadline.saturating_duration_since(Instant::now())),
            );
        }
    }

    /// Reads the device clock once: `date +%s.%N` (toybox prints nanoseconds on Android 10+;
    /// older `date` prints no sub-second digits, and then whole seconds are used).
    pub fn clock_sample(&self) -> Result<ClockSample, DeviceError> {
        let cmd = Cmd::new("date").raw("+%s.%N");
        let host_before_us = host_now_us();
        let out = self.shell_ok(&cmd, Duration::from_secs(10))?;
        let host_after_us = host_now_us();
        let text = out.stdout_text();
        let (device_us, subsecond) =
            parse_date_output(text.trim()).ok_or_else(|| DeviceError::BadOutput {
                serial: self.serial.clone(),
                command: cmd.as_str().to_owned(),
                why: format!(
                    "expected seconds since the epoch, got {:?}",
                    short(text.trim())
                ),
            })?;
        Ok(ClockSample {
            device_us,
            host_before_us,
            host_after_us,
            subsecond,
        })
    }

    /// The device wall clock, µs since the epoch.
    pub fn device_time_us(&self) -> Result<i64, DeviceError> {
        Ok(self.clock_sample()?.device_us)
    }

    /// Sends a local file to `remote` (sync `SEND`; adb_client always sets mode 0777).
    pub fn push(&self, local: &Path, remote: &str) -> Result<(), DeviceError> {
        check_remote_path(remote)?;
        let file = fs_err::File::open(local).map_err(|e| DeviceError::File {
            context: "read",
            path: local.to_path_buf(),
            source: e,
        })?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut dev = self.adb();
        let remote_owned = remote.to_owned();
        let limit = transfer_limit(size);
        self.blocking("push a file", limit, move || {
            dev.push(file, &remote_owned).map_err(|e| e.to_string())
        })
    }

    /// Sends bytes to `remote`.
    pub fn push_bytes(&self, data: Vec<u8>, remote: &str) -> Result<(), DeviceError> {
        check_remote_path(remote)?;
        let mut dev = self.adb();
        let remote_owned = remote.to_owned();
        let limit = transfer_limit(data.len() as u64);
        self.blocking("push a file", limit, move || {
            dev.push(std::io::Cursor::new(data), &remote_owned)
                .map_err(|e| e.to_string())
        })
    }

    /// Reads a remote file into memory (at most [`MAX_OUTPUT`] bytes).
    pub fn pull(&self, remote: &str) -> Result<Vec<u8>, DeviceError> {
        check_remote_path(remote)?;
        let mut dev = self.adb();
        let remote_owned = remote.to_owned();
        self.blocking("pull a file", Duration::from_secs(300), move || {
            let mut buf = LimitedVec {
                data: Vec::new(),
                limit: MAX_OUTPUT,
            };
            dev.pull(&remote_owned, &mut buf)
                .map_err(|e| e.to_string())?;
            Ok(buf.data)
        })
    }

    /// Reads a remote file into a local file.
    pub fn pull_to_file(&self, remote: &str, local: &Path) -> Result<u64, DeviceError> {
        let data = self.pull(remote)?;
        fs_err::write(local, &data).map_err(|e| DeviceError::File {
            context: "write",
            path: local.to_path_buf(),
            source: e,
        })?;
        Ok(data.len() as u64)
    }

    fn blocking<T: Send + 'static>(
        &self,
        op: &'static str,
        limit: Duration,
        f: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<T, DeviceError> {
        let span = tracing::debug_span!("adb", serial = %self.serial, service = op);
        let _entered = span.enter();
        let started = Instant::now();
        let result = self.blocking_inner(op, limit, f);
        let millis = started.elapsed().as_millis() as u64;
        match &result {
            Ok(_) => {
                tracing::debug!(serial = %self.serial, service = op, millis, "device call ended")
            }
            Err(e) => {
                tracing::info!(serial = %self.serial, service = op, error = %e, millis, "device call failed")
            }
        }
        result
    }

    fn blocking_inner<T: Send + 'static>(
        &self,
        op: &'static str,
        limit: Duration,
        f: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<T, DeviceError> {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("adb-{op} {}", self.serial))
            .spawn(move || {
                let _ = tx.send(f());
            })
            .map_err(|e| self.adb_err(op, e))?;
        match rx.recv_timeout(limit) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.adb_err(op, e)),
            Err(_) => Err(DeviceError::Timeout {
                serial: self.serial.clone(),
                command: op.to_owned(),
                after: limit,
            }),
        }
    }

    /// Installs an APK the way Prior needs it: pushed to `/data/local/tmp/prior-<random>.apk`,
    /// then `pm install` **without** `-g` (no runtime permission is pre-granted) and without
    /// `-r` (uninstall a previous copy first), and the copy removed afterwards.
    pub fn install_apk(&self, apk: &Path, timeout: Duration) -> Result<(), DeviceError> {
        let remote = format!("/data/local/tmp/prior-{}.apk", random_hex());
        self.push(apk, &remote)?;
        let result = self.shell(&Cmd::new("pm").raw("install").arg(&remote)?, timeout);
        let _ = self.shell(&Cmd::new("rm").raw("-f").arg(&remote)?, CLEANUP_TIMEOUT);
        let out = result?;
        let text = format!("{}\n{}", out.stdout_text(), out.stderr_text());
        let (code, message) = match prior_parse::pm::parse_reply(&text) {
            PmReply::Success { .. } => return Ok(()),
            PmReply::Failure { line_no, code, .. } => (
                code.unwrap_or_else(|| "UNKNOWN".into()),
                reply_line(&text, line_no),
            ),
            PmReply::Unrecognized => ("UNKNOWN".into(), short(text.trim())),
        };
        Err(DeviceError::InstallFailed {
            apk: apk.to_path_buf(),
            code,
            message,
        })
    }

    /// `pm uninstall PACKAGE` (all users' data removed).
    pub fn uninstall(&self, package: &PackageName) -> Result<Uninstalled, DeviceError> {
        let out = self.shell(
            &Cmd::new("pm").raw("uninstall").pkg(package),
            Duration::from_secs(60),
        )?;
        let text = format!("{}\n{}", out.stdout_text(), out.stderr_text());
        let message = match prior_parse::pm::parse_uninstall_reply(&text) {
            UninstallReply::Removed { .. } => return Ok(Uninstalled::Removed),
            UninstallReply::NotInstalled { .. } => return Ok(Uninstalled::NotInstalled),
            UninstallReply::Failure { line_no, .. } => reply_line(&text, line_no),
            UninstallReply::Unrecognized => short(text.trim()),
        };
        Err(DeviceError::UninstallFailed {
            package: package.to_string(),
            message,
        })
    }

    /// Whether a package is installed (`pm path PACKAGE` prints `package:` lines).
    pub fn is_installed(&self, package: &PackageName) -> Result<bool, DeviceError> {
        let out = self.shell(
            &Cmd::new("pm").raw("path").pkg(package),
            Duration::from_secs(30),
        )?;
        Ok(!prior_parse::pm::parse_pm_path(&out.stdout_text()).is_empty())
    }
}

/// A `Write` into memory that refuses to grow past a limit.
struct LimitedVec {
    data: Vec<u8>,
    limit: usize,
}

impl Write for LimitedVec {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.data.len() + buf.len() > self.limit {
            return Err(std::io::Error::other("file larger than the pull limit"));
        }
        self.data.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn transfer_limit(bytes: u64) -> Duration {
    // 60 s plus 1 s per MiB (slow emulators manage ~20 MiB/s).
    Duration::from_secs(60 + bytes / (1 << 20))
}

/// Remote paths go into sync requests (`path,mode`) and shell commands: absolute, and only
/// `[A-Za-z0-9._/+@-]` (no spaces, commas or shell specials), no `..`.
pub(crate) fn check_remote_path(path: &str) -> Result<(), DeviceError> {
    let ok = path.starts_with('/')
        && path.len() <= 1024
        && !path.split('/').any(|seg| seg == "..")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/+@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(DeviceError::Unsafe {
            what: "a device path",
            value: format!("{path:?}"),
            why: "device paths are absolute and use only letters, digits and `._/+@-`",
        })
    }
}

/// Line `line_no` (1-based) of `text`, trimmed: the reply line a parser pointed at.
fn reply_line(text: &str, line_no: u64) -> String {
    let n = usize::try_from(line_no.saturating_sub(1)).unwrap_or(usize::MAX);
    text.lines()
        .nth(n)
        .map_or_else(|| short(text.trim()), |l| short(l.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_lines() {
        assert_eq!(
            reply_line("\nFailure [INSTALL_FAILED_TEST_ONLY: x]\r\n", 2),
            "Failure [INSTALL_FAILED_TEST_ONLY: x]"
        );
        assert_eq!(reply_line("odd", 9), "odd");
    }

    #[test]
    fn kinds_and_paths() {
        assert_eq!(
            DeviceKind::classify("emulator-5554", Some("sdk_gphone64_x86_64"), false),
            DeviceKind::Emulator
        );
        assert_eq!(
            DeviceKind::classify("127.0.0.1:5555", Some("Prior SIMULATED handset"), false),
            DeviceKind::Simulated
        );
        assert_eq!(
            DeviceKind::classify("emulator-5554", Some("Prior_SIMULATED"), true),
            DeviceKind::Simulated
        );
        assert_eq!(
            DeviceKind::classify("127.0.0.1:5555", Some("x"), true),
            DeviceKind::Emulator
        );
        assert_eq!(
            DeviceKind::classify("R58M", Some("SM-G991B"), false),
            DeviceKind::Physical
        );
        assert!(check_remote_path("/data/local/tmp/prior-0a.apk").is_ok());
        for bad in [
            "data/x",
            "/data/../etc",
            "/data/x y",
            "/data/x,0777",
            "/data/$(id)",
            "/data/x'",
        ] {
            assert!(check_remote_path(bad).is_err(), "{bad}");
        }
    }
}
