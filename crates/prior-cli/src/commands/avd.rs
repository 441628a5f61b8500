//! `device: { avd: NAME }` for `prior run`: boot the AVD (or reuse it when it already runs),
//! bring it to a clean state, capture its network traffic into the bundle, and stop it
//! afterwards unless `--keep-emulator`.
//!
//! Choices:
//! - An emulator Prior boots for a run is started with `-tcpdump` (the capture covers the whole
//!   session from boot). Later scenarios of the same `prior run` reuse it (reset to its clean
//!   snapshot, below); it is stopped after the last scenario, unless `--keep-emulator`.
//! - An emulator that already runs (booted by `prior emulator boot`, kept by an earlier
//!   `--keep-emulator` run, or started by hand) is reset to its clean snapshot
//!   (`prior emulator reset`) and captured with the console's `network capture start`; Prior
//!   leaves it running afterwards, because it did not start it.
//! - The emulator writes its capture outside the bundle (`<bundle>.net.pcap` beside it), and the
//!   recorder's stop step ends the capture (console `network capture stop`) and **copies** it to
//!   `raw/net.pcap` before the manifest is sealed. Copying, not renaming, keeps the sealed file
//!   intact even if the emulator were to write after `stop` (whether `network capture stop`
//!   ends a `-tcpdump` capture is UNVERIFIED on real emulators).

use super::emulator::{BootArgs, emu_err};
use crate::CliError;
use prior_device::Device;
use prior_emulator::lifecycle::{self, Reset, Running};
use prior_emulator::{Console, EmulatorError, Sdk};
use prior_record::record::{CaptureError, NetCapture};
use std::path::{Path, PathBuf};
use std::time::Duration;

const CONSOLE_TIMEOUT: Duration = Duration::from_secs(10);

/// An emulator prepared for one run.
pub struct AvdRun {
    /// The device to record on.
    pub device: Device,
    /// The emulator.
    pub running: Running,
    /// Whether Prior booted it for this run (and so stops it afterwards unless kept).
    pub booted_here: bool,
    /// The capture hook for the recorder (taken when handed to it).
    pub capture: Option<EmulatorCapture>,
    /// The loopback port of the `-http-proxy` it was booted with here (issue 18), if any.
    pub http_proxy_port: Option<u16>,
    sdk: Sdk,
}

/// Boots or reuses `name`, cleaned, with its traffic captured into `capture_file`.
pub fn prepare(
    name: &str,
    capture_file: PathBuf,
    http_proxy_port: Option<u16>,
    note: &mut dyn FnMut(&str),
) -> Result<AvdRun, CliError> {
    let sdk = super::emulator::sdk();
    if sdk.avd(name).map_err(emu_err)?.is_none() {
        return Err(CliError::device_msg(format!(
            "failed to find AVD {name:?} in {}: create it with `prior emulator create {name}` (see `prior emulator images`)",
            sdk.avd_home().display()
        )));
    }
    let adb = super::emulator::adb()?;
    let catalogue = super::emulator::catalogue(None)?;
    let mut opts = BootArgs::default().options(&sdk, &catalogue, name);
    opts.timeout = Duration::from_secs(300);
    let (running, booted_here, mode) = match lifecycle::find(&sdk, &adb, name).map_err(emu_err)? {
        Some(r) => {
            note(&format!(
                "{name} already runs on {}: resetting it",
                r.serial
            ));
            let r = match lifecycle::reset(&sdk, &adb, &r, &opts, note).map_err(emu_err)? {
                Reset::Snapshot => r,
                Reset::WipedAndRebooted { why, running } => {
                    note(&format!("no clean snapshot ({why}): wiped and cold-booted"));
                    running
                }
            };
            (r, false, Mode::Console)
        }
        None => {
            note(&format!("booting {name} (headless, -tcpdump)"));
            opts.tcpdump = Some(capture_file.clone());
            opts.http_proxy = http_proxy_port.map(|p| format!("http://127.0.0.1:{p}"));
            let r = lifecycle::boot(&sdk, &adb, name, &opts, note).map_err(emu_err)?;
            (r, true, Mode::SinceBoot)
        }
    };
    let device = adb
        .device(&running.serial)
        .map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    let capture = EmulatorCapture {
        console_port: running.console_port,
        token_file: sdk.console_token_file(),
        file: capture_file,
        dest: None,
        mode,
        serial: running.serial.clone(),
        avd_dir: sdk.avd(name).ok().flatten().map(|a| a.dir),
    };
    Ok(AvdRun {
        device,
        running,
        http_proxy_port: http_proxy_port.filter(|_| booted_here),
        booted_here,
        capture: Some(capture),
        sdk,
    })
}

/// An emulator `prior campaign run` booted and manages itself (one of N from one AVD): the
/// recording captures its traffic through the console, like a reused emulator;
/// `http_proxy_port`: the `-http-proxy` port the campaign booted it with, if any.
pub fn console_run(
    sdk: Sdk,
    running: Running,
    device: Device,
    capture_file: PathBuf,
    http_proxy_port: Option<u16>,
) -> AvdRun {
    let capture = EmulatorCapture {
        console_port: running.console_port,
        token_file: sdk.console_token_file(),
        file: capture_file,
        dest: None,
        mode: Mode::Console,
        serial: running.serial.clone(),
        avd_dir: sdk.avd(&running.name).ok().flatten().map(|a| a.dir),
    };
    AvdRun {
        device,
        running,
        booted_here: false,
        capture: Some(capture),
        sdk,
        // Booted by the campaign with `-http-proxy` when one of its scenarios intercepts
        // (docs/campaigns.md, "Emulators"); without, an intercepting scenario gets a failed
        // `http` collector record saying so.
        http_proxy_port,
    }
}

impl AvdRun {
    /// The emulator's console for the honey step's `geo fix`.
    pub fn geo_console(&self) -> EmulatorGeoConsole {
        EmulatorGeoConsole {
            console_port: self.running.console_port,
            token_file: self.sdk.console_token_file(),
        }
    }
}

/// The emulator console as the honey step's [`prior_record::honey::GeoConsole`]: one
/// connection per `geo fix`.
pub struct EmulatorGeoConsole {
    console_port: u16,
    token_file: PathBuf,
}

impl prior_record::honey::GeoConsole for EmulatorGeoConsole {
    fn geo_fix(&mut self, longitude: f64, latitude: f64) -> Result<(), String> {
        let mut c = Console::connect(self.console_port, &self.token_file, CONSOLE_TIMEOUT)
            .map_err(|e| format!("failed to reach the emulator console: {e}"))?;
        c.geo_fix(longitude, latitude)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn describe(&self) -> String {
        format!("emulator console on port {}", self.console_port)
    }
}

/// Emulators this `prior run` booted: reused (reset) by its later scenarios, stopped after the
/// last one unless `--keep-emulator`.
#[derive(Default)]
pub struct Booted {
    running: Vec<(Sdk, Running)>,
}

impl Booted {
    /// After a scenario: remember an emulator it booted; say what happens to one it reused.
    pub fn after_run(&mut self, run: AvdRun) -> Option<String> {
        let known = self.running.iter().any(|(_, r)| r.name == run.running.name);
        if run.booted_here {
            self.running.push((run.sdk, run.running));
            None
        } else if known {
            None
        } else {
            Some(format!(
                "left {} running (Prior did not start it)",
                run.running.serial
            ))
        }
    }

    /// After the last scenario: stop what this run booted, or say it is kept.
    pub fn finish(self, keep: bool) -> Vec<String> {
        let mut notes = Vec::new();
        for (sdk, r) in self.running {
            if keep {
                notes.push(format!(
                    "kept {} running on {} (--keep-emulator); stop it with `prior emulator kill {}`",
                    r.name, r.serial, r.name
                ));
                continue;
            }
            match lifecycle::kill(&sdk, &r, Duration::from_secs(20)) {
                Ok(()) => notes.push(format!("stopped {} on {}", r.name, r.serial)),
                Err(e) => notes.push(format!("failed to {e}")),
            }
        }
        notes
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Booted with `-tcpdump FILE`: capturing since boot.
    SinceBoot,
    /// Already running: `network capture start FILE` on the console.
    Console,
}

/// The emulator's capture, as the recorder's [`NetCapture`] hook.
pub struct EmulatorCapture {
    console_port: u16,
    token_file: PathBuf,
    /// Where the emulator writes.
    file: PathBuf,
    /// `raw/net.pcap` of the bundle, once started.
    dest: Option<PathBuf>,
    mode: Mode,
    serial: String,
    /// The AVD directory (for captures written under `console_out/`).
    avd_dir: Option<PathBuf>,
}

impl EmulatorCapture {
    fn console(&self) -> Result<Console, CaptureError> {
        Console::connect(self.console_port, &self.token_file, CONSOLE_TIMEOUT)
            .map_err(|e| CaptureError::device("reach the emulator console", e))
    }
}

impl NetCapture for EmulatorCapture {
    fn start(&mut self, dest: &Path) -> Result<(), CaptureError> {
        self.dest = Some(dest.to_path_buf());
        match self.mode {
            Mode::SinceBoot => {
                if self.file.is_file() {
                    Ok(())
                } else {
                    Err(CaptureError::device(
                        format!(
                            "find the emulator's -tcpdump capture {}",
                            self.file.display()
                        ),
                        "no such file",
                    ))
                }
            }
            Mode::Console => {
                let mut console = self.console()?;
                match console.network_capture_start(&self.file) {
                    Ok(_) => Ok(()),
                    // Newer emulators (reported for 37; UNVERIFIED) accept only a bare file
                    // name and write it under `<avd dir>/console_out/`.
                    Err(EmulatorError::ConsoleKo { reason, .. })
                        if reason.contains("bare") && self.avd_dir.is_some() =>
                    {
                        let bare = self.file.file_name().map(PathBuf::from).ok_or_else(|| {
                            CaptureError::device("name the capture file", "it has no file name")
                        })?;
                        console
                            .network_capture_start(&bare)
                            .map_err(|e| CaptureError::device("start the console capture", e))?;
                        if let Some(dir) = &self.avd_dir {
                            self.file = dir.join("console_out").join(bare);
                        }
                        Ok(())
                    }
                    Err(e) => Err(CaptureError::device("start the console capture", e)),
                }
            }
        }
    }

    fn stop(&mut self) -> Result<(), CaptureError> {
        let stopped = self.console().and_then(|mut c| {
            c.network_capture_stop()
                .map_err(|e| CaptureError::device("stop the console capture", e))
        });
        let Some(dest) = &self.dest else {
            return stopped.map(|_| ());
        };
        std::fs::copy(&self.file, dest).map_err(|e| {
            CaptureError::file(
                format!(
                    "copy the capture {} to {}",
                    self.file.display(),
                    dest.display()
                ),
                e,
            )
        })?;
        let _ = std::fs::remove_file(&self.file);
        stopped.map(|_| ())
    }

    fn describe(&self) -> String {
        match self.mode {
            Mode::SinceBoot => format!(
                "emulator {} -tcpdump capture since boot (all guest traffic, host clock)",
                self.serial
            ),
            Mode::Console => format!(
                "emulator {} console `network capture start` (all guest traffic, host clock)",
                self.serial
            ),
        }
    }
}
