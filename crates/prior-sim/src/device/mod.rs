//! The simulated handset behind [`DeviceHandler`](crate::DeviceHandler): an x86_64
//! emulator image whose model says SIMULATED — Android 13 (API 33) userdebug by default,
//! other API levels, build types and vendor quirks through a [`DeviceProfile`]
//! (`SimConfig::profile`, see [`profile`]).
//!
//! ```no_run
//! use prior_sim::device::{SimConfig, SimDevice};
//! let dev = SimDevice::new(SimConfig { seed: 7, ..SimConfig::default() }).unwrap();
//! dev.load_models(std::path::Path::new("scenarios/demo/models")).unwrap();
//! let out = dev.run("getprop ro.product.model");
//! assert_eq!(out.stdout, b"SIMULATED Pixel 6\n");
//! ```
//!
//! Time: the device clock is host time plus an offset (or a manual clock in tests); the
//! time zone is a fixed offset (`persist.sys.timezone`). App behaviour comes from YAML
//! models (`docs/sim-models.md`); the shell commands Prior uses answer in the formats of
//! real devices, produced by this module's own formatting code.

pub mod apis;
pub mod appops;
pub mod clock;
mod cmds;
pub mod font;
pub mod fs;
pub mod honey;
pub mod logs;
pub mod model;
pub mod packages;
pub mod png;
pub mod profile;
pub mod props;
pub mod rng;
pub mod setup;
pub mod shell;
pub mod ui;
pub mod world;

#[cfg(test)]
mod profile_tests;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicI32;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::capture::{Capture, CaptureError, CaptureStats};
use crate::{Banner, DeviceHandler, FileError, FileStat, ShellIo};
use clock::{ClockMode, DeviceUs, SimClock, TimeZone};
use model::AppModel;
pub use profile::DeviceProfile;
use world::{NetRecord, World, WorldSetup};

/// Errors of the simulated device's setup.
#[derive(Debug, thiserror::Error)]
pub enum SimDeviceError {
    /// A behaviour model is invalid.
    #[error("load app model {origin}: {reason}")]
    Model { origin: String, reason: String },
    /// A file could not be read.
    #[error("read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The time zone is not in the built-in table and has no explicit offset.
    #[error("use time zone `{0}`: not in the built-in table; give utc_offset_s")]
    TimeZone(String),
}

/// How to build a simulated device.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed for jitter, pids, identifiers.
    pub seed: u64,
    /// IANA time-zone name (`persist.sys.timezone`).
    pub timezone: String,
    /// Offset for a zone outside the built-in table (seconds east of UTC).
    pub utc_offset_s: Option<i32>,
    /// Real (host + offset) or manual clock.
    pub clock: ClockMode,
    /// Seconds since boot at creation.
    pub uptime_s: i64,
    /// Directories whose model YAML files are loaded at creation.
    pub model_dirs: Vec<PathBuf>,
    /// `ro.serialno`.
    pub serial: String,
    /// `ro.product.model` (must say SIMULATED).
    pub model_name: String,
    /// `persist.sys.locale`, e.g. `en-US`, `zh-CN`.
    pub locale: String,
    /// How long after creation the boot "completes": until then `sys.boot_completed` and
    /// `dev.bootcomplete` are unset, like an emulator still booting (see [`props`]).
    pub boot_delay: Duration,
    /// What kind of handset to play (default `api33-userdebug`, see [`profile::PROFILES`]).
    pub profile: DeviceProfile,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            timezone: "Asia/Shanghai".into(),
            utc_offset_s: None,
            clock: ClockMode::Real { offset_ms: 0 },
            uptime_s: 120,
            model_dirs: Vec::new(),
            serial: "SIMULATED0001".into(),
            model_name: "SIMULATED Pixel 6".into(),
            locale: "en-US".into(),
            boot_delay: Duration::ZERO,
            profile: DeviceProfile::default(),
        }
    }
}

/// Output of a command run with [`SimDevice::run`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: i32,
}

impl ShellOutput {
    /// stdout as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// The simulated handset.
#[derive(Debug)]
pub struct SimDevice {
    world: Mutex<World>,
    cv: Condvar,
    clock: SimClock,
    banner: Banner,
    /// Device clock minus host clock, µs (`ClockMode::Real`'s offset; 0 for a manual clock).
    clock_offset_us: i64,
    /// Host instant at which the boot completes; `None` once it has (see [`props`]).
    booting_until: Mutex<Option<std::time::Instant>>,
    /// The device profile (fixed at boot).
    profile: DeviceProfile,
}

impl SimDevice {
    /// Boots a device and loads the models of `config.model_dirs`.
    pub fn new(config: SimConfig) -> Result<Arc<SimDevice>, SimDeviceError> {
        let tz = match (TimeZone::named(&config.timezone), config.utc_offset_s) {
            (_, Some(off)) => TimeZone::with_offset(&config.timezone, off),
            (Some(tz), None) => tz,
            (None, None) => return Err(SimDeviceError::TimeZone(config.timezone.clone())),
        };
        let clock = SimClock::new(config.clock, config.uptime_s);
        let setup = WorldSetup {
            seed: config.seed,
            tz,
            model_name: config.model_name.clone(),
            serial: config.serial.clone(),
            locale: config.locale.clone(),
            profile: config.profile,
        };
        let world = World::new(&setup, clock.now_us(), clock.boot_us());
        let clock_offset_us = match config.clock {
            ClockMode::Real { offset_ms } => offset_ms.saturating_mul(1000),
            ClockMode::Manual { .. } => 0,
        };
        let dev = Arc::new(SimDevice {
            world: Mutex::new(world),
            cv: Condvar::new(),
            clock_offset_us,
            clock,
            banner: Banner {
                product_name: "sdk_gphone64_x86_64".into(),
                model: config.model_name.clone(),
                device: "emu64xa".into(),
            },
            booting_until: Mutex::new(None),
            profile: config.profile,
        });
        dev.begin_boot(config.boot_delay);
        for d in &config.model_dirs {
            dev.load_models(d)?;
        }
        Ok(dev)
    }

    /// Loads every behaviour model in a directory; returns how many.
    pub fn load_models(&self, dir: &Path) -> Result<usize, SimDeviceError> {
        let models = AppModel::load_dir(dir)?;
        let n = models.len();
        for m in models {
            self.add_model(m);
        }
        Ok(n)
    }

    /// Whether a behaviour model for `package` is loaded: without one the handset refuses to
    /// start the package's activities (`am start` answers with an error naming it).
    pub fn has_model(&self, package: &str) -> bool {
        self.lock().models.contains_key(package)
    }

    /// The packages the loaded behaviour models are for, sorted.
    pub fn model_packages(&self) -> Vec<String> {
        self.lock().models.keys().cloned().collect()
    }

    /// Adds (or replaces) one model.
    pub fn add_model(&self, m: AppModel) {
        self.with(|w, _| {
            w.models.insert(m.package.clone(), Arc::new(m));
        });
    }

    /// Parses and adds a model from YAML text.
    pub fn add_model_yaml(&self, yaml: &str) -> Result<(), SimDeviceError> {
        self.add_model(AppModel::from_yaml(yaml, "<inline>")?);
        Ok(())
    }

    /// Restarts the boot wait: `sys.boot_completed` and `dev.bootcomplete` read as unset for
    /// `delay` from now (zero: booted at once).
    pub fn begin_boot(&self, delay: Duration) {
        let until = (!delay.is_zero()).then(|| std::time::Instant::now() + delay);
        *self.booting_until.lock().unwrap_or_else(|e| e.into_inner()) = until;
    }

    /// Whether the boot delay has passed.
    pub fn boot_completed(&self) -> bool {
        let mut guard = self.booting_until.lock().unwrap_or_else(|e| e.into_inner());
        match *guard {
            Some(until) if std::time::Instant::now() < until => false,
            Some(_) => {
                *guard = None;
                true
            }
            None => true,
        }
    }

    /// What kind of handset this is.
    pub fn profile(&self) -> DeviceProfile {
        self.profile
    }

    /// The device clock.
    pub fn clock(&self) -> &SimClock {
        &self.clock
    }

    /// Device time now (µs since the epoch).
    pub fn now_us(&self) -> DeviceUs {
        self.clock.now_us()
    }

    /// The device's time zone.
    pub fn timezone(&self) -> TimeZone {
        self.lock().tz.clone()
    }

    /// Network contacts the apps made so far.
    pub fn network_records(&self) -> Vec<NetRecord> {
        self.with(|w, _| w.net.clone())
    }

    /// Device clock minus host clock, µs: the `offset_ms` of [`ClockMode::Real`]; 0 for a
    /// manual clock, which stands for both clocks.
    pub fn clock_offset_us(&self) -> i64 {
        self.clock_offset_us
    }

    /// Starts a network capture into `path` on the host (like the emulator's `-tcpdump FILE`
    /// or console `network capture start FILE`): from now on every network record of the
    /// app models is appended to it as packets stamped on the host clock (device time minus
    /// [`SimDevice::clock_offset_us`]); records made before this call are not in it. See
    /// [`crate::capture`] for what is written.
    pub fn start_capture(&self, path: &Path) -> Result<(), CaptureError> {
        self.with(|w, _| {
            if let Some(c) = &w.capture {
                return Err(CaptureError::AlreadyRunning(c.path().to_path_buf()));
            }
            w.capture = Some(Capture::create(path, self.clock_offset_us)?);
            Ok(())
        })
    }

    /// Stops the capture (console `network capture stop`) after writing every record due by
    /// now; returns what it wrote, or the write error that cut it short.
    pub fn stop_capture(&self) -> Result<CaptureStats, CaptureError> {
        let cap = self.with(|w, _| w.capture.take());
        cap.ok_or(CaptureError::NotRunning)?.finish()
    }

    /// The running capture's file and counts so far, if one runs.
    pub fn capture_stats(&self) -> Option<CaptureStats> {
        self.with(|w, _| w.capture.as_ref().map(|c| c.stats().clone()))
    }

    /// Runs a shell command line and collects its output (tests, CLI, scenarios).
    pub fn run(&self, command: &str) -> ShellOutput {
        let mut io = CollectIo::default();
        let status = self.shell(command, &mut io);
        ShellOutput {
            stdout: io.out,
            stderr: io.err,
            status,
        }
    }

    fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the world after catching up with the clock, then wakes waiters.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut World, DeviceUs) -> R) -> R {
        let now = self.clock.now_us();
        let r = {
            let mut w = self.lock();
            w.advance(now);
            f(&mut w, now)
        };
        self.cv.notify_all();
        r
    }

    /// Waits until something may have changed: a notification, the next scheduled job,
    /// or `cap`.
    pub(crate) fn wait(&self, cap: Duration) {
        let w = self.lock();
        let hint = self.clock.wait_hint(w.next_due(), cap);
        let _ = self.cv.wait_timeout(w, hint);
    }
}

/// A [`ShellIo`] that collects everything (for [`SimDevice::run`]).
#[derive(Debug, Default)]
pub struct CollectIo {
    pub out: Vec<u8>,
    pub err: Vec<u8>,
    pub stdin: Vec<u8>,
}

impl ShellIo for CollectIo {
    fn stdout(&mut self, data: &[u8]) -> bool {
        self.out.extend_from_slice(data);
        true
    }
    fn stderr(&mut self, data: &[u8]) -> bool {
        self.err.extend_from_slice(data);
        true
    }
    fn read_stdin(&mut self, _timeout: Duration) -> Option<Vec<u8>> {
        Some(std::mem::take(&mut self.stdin))
    }
    fn is_closed(&self) -> bool {
        false
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn stat_of(m: fs::Meta) -> FileStat {
    FileStat {
        mode: m.mode,
        size: m.size,
        mtime: m.mtime,
    }
}

impl DeviceHandler for SimDevice {
    fn banner(&self) -> Banner {
        self.banner.clone()
    }

    fn shell(&self, command: &str, io: &mut dyn ShellIo) -> i32 {
        let killed = Arc::new(AtomicI32::new(0));
        let pid =
            self.with(|w, now| w.add_shell_proc("sh", now, Arc::clone(&killed), world::PID_ADBD));
        let mut sh = shell::Shell::new(self, pid, killed);
        let status = sh.run_host(command, io);
        self.with(|w, _| {
            w.procs.remove(&pid);
        });
        status
    }

    fn install(&self, args: &[String], apk: &[u8]) -> String {
        let flags = packages::InstallFlags::parse(args);
        self.with(|w, now| w.install(now, apk, flags))
    }

    fn abb_exec(&self, argv: &[String]) -> Vec<u8> {
        let line: Vec<String> = argv.iter().map(|a| quote(a)).collect();
        let mut io = CollectIo::default();
        self.shell(&line.join(" "), &mut io);
        let mut out = io.out;
        out.extend_from_slice(&io.err);
        out
    }

    fn stat(&self, path: &str) -> Option<FileStat> {
        self.with(|w, _| w.fs.stat(path).map(stat_of))
    }

    fn read_file(&self, path: &str) -> Result<Vec<u8>, FileError> {
        self.with(|w, _| {
            w.fs.read(path)
                .map(|d| d.as_ref().clone())
                .map_err(|e| FileError::from(e.text()))
        })
    }

    fn write_file(&self, path: &str, data: &[u8], mode: u32, mtime: i64) -> Result<(), FileError> {
        self.with(|w, _| {
            // adbd creates missing parent directories (`fixed_push_mkdir`)
            let norm = fs::normalize(path);
            if let Some((parent, _)) = norm.rsplit_once('/')
                && !parent.is_empty()
                && w.fs.stat(parent).is_none()
            {
                w.fs.mkdir(parent, true, mtime, true)
                    .map_err(|e| FileError::from(e.text()))?;
            }
            w.fs.write(path, data.to_vec(), mode, mtime)
                .map_err(|e| FileError::from(e.text()))
        })
    }

    fn list_dir(&self, path: &str) -> Vec<(String, FileStat)> {
        self.with(|w, _| {
            w.fs.list(path)
                .map(|v| v.into_iter().map(|(n, m)| (n, stat_of(m))).collect())
                .unwrap_or_default()
        })
    }
}
