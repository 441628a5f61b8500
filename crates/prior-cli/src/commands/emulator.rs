//! `prior emulator create|boot|reset|kill|list`: the Android Emulator's lifecycle, as
//! `prior run` uses it for `device: { avd: NAME }`. The work is in `prior-emulator`; this file
//! parses arguments and prints.
//!
//! Every tool Prior runs (`sdkmanager`, `avdmanager`, `emulator`) is echoed to stderr as a
//! shell-quoted command line before it runs, so a user can reproduce each step by hand.

use crate::{CliError, CliResult, exit::Outcome};
use prior_device::AdbServer;
use prior_emulator::lifecycle::{self, BootOptions, Reset, Running};
use prior_emulator::{Catalogue, CreateOptions, EmulatorError, Image, Sdk, SdkEnv};
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `prior emulator`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
    /// Image catalogue to use instead of the built-in one (`emulator-images/images.toml`).
    #[arg(long, global = true, value_name = "FILE")]
    images: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Create an AVD from an image of the catalogue (installs the image with sdkmanager if missing).
    Create {
        /// AVD name (letters, digits, `.`, `_`, `-`).
        name: String,
        /// Image id from the catalogue (`prior emulator images`); default: the host's default.
        #[arg(long, value_name = "ID")]
        image: Option<String>,
        /// Replace an existing AVD of that name.
        #[arg(long)]
        force: bool,
    },
    /// Boot an AVD headless and wait until it is ready (unlocked, animations off).
    Boot {
        /// AVD name.
        name: String,
        #[command(flatten)]
        boot: BootArgs,
    },
    /// Bring a running AVD back to its clean snapshot (cold boot with -wipe-data if there is none).
    Reset {
        /// AVD name.
        name: String,
        #[command(flatten)]
        boot: BootArgs,
    },
    /// Stop a running AVD (console `kill`, then its process group).
    Kill {
        /// AVD name.
        name: String,
        /// How long to wait for it to go before signalling its process group.
        #[arg(long, default_value = "20", value_name = "SECS")]
        timeout: u64,
    },
    /// List AVDs, their images and where they run.
    List,
    /// List the image catalogue.
    Images,
}

/// Boot settings shared by `boot`, `reset` and `prior run`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BootArgs {
    /// Console port (even, 5554–5584; the adb port is one more). Default: the first free pair.
    #[arg(long, value_name = "PORT")]
    port: Option<u16>,
    /// Wipe user data (a factory reset) before booting.
    #[arg(long)]
    wipe_data: bool,
    /// Write a pcap of all guest traffic here (`emulator -tcpdump`).
    #[arg(long, value_name = "FILE")]
    tcpdump: Option<PathBuf>,
    /// Seconds to wait for `sys.boot_completed`.
    #[arg(long, default_value = "300", value_name = "SECS")]
    boot_timeout: u64,
    /// Guest locale (default: the image's, from the catalogue).
    #[arg(long, value_name = "LOCALE")]
    locale: Option<String>,
    /// Guest time zone (default: the image's, from the catalogue).
    #[arg(long, value_name = "TZ")]
    timezone: Option<String>,
}

/// An emulator error as a CLI error: a bad name, image id or catalogue is input (2), the rest
/// the environment (3).
pub fn emu_err(e: EmulatorError) -> CliError {
    match e {
        EmulatorError::BadAvdName { .. }
        | EmulatorError::UnknownImage { .. }
        | EmulatorError::Catalogue { .. } => CliError::input_msg(format!("failed to {e}")),
        e => CliError::device_msg(format!("failed to {e}")),
    }
}

/// The catalogue: `--images FILE` or the built-in one.
pub fn catalogue(file: Option<&PathBuf>) -> Result<Catalogue, CliError> {
    match file {
        Some(f) => Catalogue::from_file(f),
        None => Catalogue::builtin(),
    }
    .map_err(emu_err)
}

/// The SDK from the process environment, with its warnings printed.
pub fn sdk() -> Sdk {
    let sdk = Sdk::locate(SdkEnv::from_process());
    for w in sdk.warnings() {
        note!("warning: {w}");
    }
    sdk
}

/// The adb server from the environment, started if needed.
pub fn adb() -> Result<AdbServer, CliError> {
    let server =
        AdbServer::from_env().map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    server
        .ensure_running()
        .map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    Ok(server)
}

/// The catalogue image an AVD was made from (by its config.ini package id), if any.
fn image_of_avd<'c>(sdk: &Sdk, catalogue: &'c Catalogue, name: &str) -> Option<&'c Image> {
    let avd = sdk.avd(name).ok().flatten()?;
    let package = avd.image_package()?;
    catalogue.images.iter().find(|i| i.package == package)
}

impl BootArgs {
    /// Boot options for `name`: the flags, else the catalogue image's locale and time zone.
    pub fn options(&self, sdk: &Sdk, catalogue: &Catalogue, name: &str) -> BootOptions {
        let image = image_of_avd(sdk, catalogue, name);
        BootOptions {
            port: self.port,
            tcpdump: self.tcpdump.clone(),
            http_proxy: None,
            wipe_data: self.wipe_data,
            timeout: Duration::from_secs(self.boot_timeout),
            locale: self
                .locale
                .clone()
                .or_else(|| image.map(|i| i.locale.clone()).filter(|s| !s.is_empty())),
            timezone: self
                .timezone
                .clone()
                .or_else(|| image.map(|i| i.timezone.clone()).filter(|s| !s.is_empty())),
            extra_args: Vec::new(),
        }
    }
}

fn say(line: &str) {
    note!("  {line}");
}

fn describe(r: &Running) -> String {
    format!(
        "{} on {} (console {}, adb {}{})",
        r.name,
        r.serial,
        r.console_port,
        r.adb_port,
        r.pid.map(|p| format!(", pid {p}")).unwrap_or_default()
    )
}

fn running_or_err(sdk: &Sdk, adb: &AdbServer, name: &str) -> Result<Running, CliError> {
    lifecycle::find(sdk, adb, name)
        .map_err(emu_err)?
        .ok_or_else(|| {
            CliError::device_msg(format!(
                "failed to find a running emulator for AVD {name:?}: boot it with `prior emulator boot {name}`"
            ))
        })
}

/// Runs `prior emulator`.
pub fn run(args: Args) -> CliResult {
    match &args.command {
        Sub::Images => {
            let cat = catalogue(args.images.as_ref())?;
            let mut out = String::new();
            for i in &cat.images {
                out.push_str(&format!(
                    "{:<28} {:<48} api {:<2} {}{}\n",
                    i.id,
                    i.package,
                    i.api,
                    if i.play_store { "play-store " } else { "" },
                    i.host_arch()
                ));
            }
            super::out(&out)?;
            Ok(Outcome::Done)
        }
        Sub::Create { name, image, force } => {
            let cat = catalogue(args.images.as_ref())?;
            let image = match image {
                Some(id) => cat.lookup(id),
                None => cat.default_for_host(),
            }
            .map_err(emu_err)?;
            let sdk = sdk();
            let opts = CreateOptions {
                force: *force,
                ..CreateOptions::default()
            };
            note!("creating AVD {name} from {} ({})", image.id, image.package);
            let avd = prior_emulator::create(&sdk, name, image, &opts, &mut |l| say(l))
                .map_err(emu_err)?;
            super::out(&format!("created {} in {}\n", avd.name, avd.dir.display()))?;
            Ok(Outcome::Done)
        }
        Sub::Boot { name, boot } => {
            let cat = catalogue(args.images.as_ref())?;
            let sdk = sdk();
            let adb = adb()?;
            if let Some(r) = lifecycle::find(&sdk, &adb, name).map_err(emu_err)? {
                super::out(&format!("already running: {}\n", describe(&r)))?;
                return Ok(Outcome::Done);
            }
            let opts = boot.options(&sdk, &cat, name);
            note!("booting {name}");
            let r = lifecycle::boot(&sdk, &adb, name, &opts, &mut |l| say(l)).map_err(emu_err)?;
            super::out(&format!("ready: {}\n", describe(&r)))?;
            Ok(Outcome::Done)
        }
        Sub::Reset { name, boot } => {
            let cat = catalogue(args.images.as_ref())?;
            let sdk = sdk();
            let adb = adb()?;
            let r = running_or_err(&sdk, &adb, name)?;
            let opts = boot.options(&sdk, &cat, name);
            let how = lifecycle::reset(&sdk, &adb, &r, &opts, &mut |l| say(l)).map_err(emu_err)?;
            let text = match how {
                Reset::Snapshot => format!("reset: {} (clean snapshot loaded)\n", describe(&r)),
                Reset::WipedAndRebooted { why, running } => format!(
                    "reset: {} (no clean snapshot: {why}; wiped and cold-booted)\n",
                    describe(&running)
                ),
            };
            super::out(&text)?;
            Ok(Outcome::Done)
        }
        Sub::Kill { name, timeout } => {
            let sdk = sdk();
            let adb = adb()?;
            let r = running_or_err(&sdk, &adb, name)?;
            lifecycle::kill(&sdk, &r, Duration::from_secs(*timeout)).map_err(emu_err)?;
            super::out(&format!("stopped {}\n", describe(&r)))?;
            Ok(Outcome::Done)
        }
        Sub::List => {
            let sdk = sdk();
            // Without a reachable adb server, every AVD simply shows as stopped.
            let adb = AdbServer::from_env()
                .map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
            let rows = lifecycle::list(&sdk, &adb);
            let mut out = String::new();
            if rows.is_empty() {
                out.push_str(&format!(
                    "no AVDs in {} (create one: prior emulator create NAME)\n",
                    sdk.avd_home().display()
                ));
            }
            for row in rows {
                out.push_str(&format!(
                    "{:<24} {:<48} {}\n",
                    row.avd.name,
                    row.image.as_deref().unwrap_or("(image unknown)"),
                    match &row.running {
                        Some(r) => format!("running on {}", r.serial),
                        None => "stopped".to_string(),
                    }
                ));
            }
            super::out(&out)?;
            Ok(Outcome::Done)
        }
    }
}
