//! `prior campaign run --avd NAME --parallel N`: N emulators booted from one AVD, one per
//! campaign worker, each started with `-read-only` so that several instances share the AVD's
//! images (docs/campaigns.md, "Emulators"). Between pairs an emulator is reset to its clean
//! snapshot (the lifecycle's `reset`, as `prior run` does for a reused emulator); it is stopped
//! when its worker ends.

use super::emulator::{BootArgs, emu_err};
use super::run::Target;
use crate::CliError;
use prior_emulator::Sdk;
use prior_emulator::lifecycle::{self, Reset, Running};
use std::path::Path;
use std::time::Duration;

/// The emulator flag that lets several instances of one AVD run at once: the system and data
/// images are used copy-on-write and nothing is written back (UNVERIFIED beyond the emulator's
/// `-help` text, docs/campaigns.md).
pub const READ_ONLY: &str = "-read-only";

/// Boots (and resets, which may reboot) one at a time: `lifecycle::boot` picks the first free
/// console port, and two workers booting at once would both pick it (the loser's emulator exits
/// at once — found by `a_campaign_on_two_emulators_of_one_avd`).
static BOOTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// One worker's emulator.
pub struct AvdSlot {
    name: String,
    index: usize,
    running: Option<(Sdk, Running)>,
    /// The loopback port it is booted with as `-http-proxy` when a scenario of the campaign
    /// intercepts (issue 18): its own, since each pair's mitmdump listens there.
    http_proxy_port: Option<u16>,
}

impl AvdSlot {
    /// The `index`-th emulator of AVD `name` (not booted until its first pair), booted with
    /// `-http-proxy http://127.0.0.1:PORT` when `http_proxy_port` is given.
    pub fn new(name: &str, index: usize, http_proxy_port: Option<u16>) -> AvdSlot {
        AvdSlot {
            name: name.to_string(),
            index,
            running: None,
            http_proxy_port,
        }
    }

    fn log(&self) -> impl FnMut(&str) + '_ {
        move |l: &str| note!("  emulator {}#{}: {l}", self.name, self.index)
    }

    /// The emulator, booted on first use and reset to its clean snapshot before later pairs,
    /// as a target whose traffic is captured beside the bundle `dir`.
    pub fn target(&mut self, dir: &Path) -> Result<Target, CliError> {
        let adb = super::emulator::adb()?;
        let catalogue = super::emulator::catalogue(None)?;
        let sdk = super::emulator::sdk();
        if sdk.avd(&self.name).map_err(emu_err)?.is_none() {
            return Err(CliError::device_msg(format!(
                "failed to find AVD {:?} in {}: create it with `prior emulator create {}`",
                self.name,
                sdk.avd_home().display(),
                self.name
            )));
        }
        let mut opts = BootArgs::default().options(&sdk, &catalogue, &self.name);
        opts.timeout = Duration::from_secs(300);
        opts.extra_args.push(READ_ONLY.to_string());
        // Kept across resets: a snapshot load keeps the emulator process (and its flags), a
        // wipe reboots it with these options.
        opts.http_proxy = self
            .http_proxy_port
            .map(|p| format!("http://127.0.0.1:{p}"));
        let booting = BOOTING.lock().unwrap_or_else(|p| p.into_inner());
        let running = match self.running.take() {
            Some((sdk, r)) => {
                let mut log = self.log();
                match lifecycle::reset(&sdk, &adb, &r, &opts, &mut log) {
                    Ok(Reset::Snapshot) => r,
                    Ok(Reset::WipedAndRebooted { running, .. }) => running,
                    Err(e) => {
                        // The worker leaves the campaign: its emulator goes too.
                        let _ = lifecycle::kill(&sdk, &r, Duration::from_secs(20));
                        return Err(emu_err(e));
                    }
                }
            }
            None => {
                let mut log = self.log();
                lifecycle::boot(&sdk, &adb, &self.name, &opts, &mut log).map_err(emu_err)?
            }
        };
        drop(booting);
        self.running = Some((sdk.clone(), running.clone()));
        let device = adb
            .device(&running.serial)
            .map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
        let parent = dir.parent().unwrap_or(Path::new("."));
        let parent = fs_err::canonicalize(parent).map_err(CliError::io)?;
        let file_name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into());
        let capture = parent.join(format!(".{file_name}.net.pcap"));
        let run =
            super::avd::console_run(sdk, running, device.clone(), capture, self.http_proxy_port);
        Ok(Target {
            device,
            simulated: false,
            avd: Some(run),
            _sim: None,
        })
    }

    /// After a pair: the emulator stays with the slot for the next pair.
    pub fn after_run(&mut self, target: &mut Target) {
        target.avd.take();
    }
}

impl Drop for AvdSlot {
    fn drop(&mut self) {
        if let Some((sdk, r)) = self.running.take() {
            match lifecycle::kill(&sdk, &r, Duration::from_secs(20)) {
                Ok(()) => note!("emulator: stopped {} on {}", r.name, r.serial),
                Err(e) => note!("emulator: failed to {e}"),
            }
        }
    }
}
