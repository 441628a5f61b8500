//! `prior sim`: run a standalone simulated handset until Ctrl-C, for `adb connect` and for
//! trying Prior without an emulator. Everything it serves says SIMULATED.

use crate::{CliError, CliResult, exit::Outcome};
use prior_sim::adbd::{AuthPolicy, NewKeyPolicy};
use prior_sim::device::{DeviceProfile, SimConfig, SimDevice};
use prior_sim::server::{SimOptions, SimServer};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How the handset answers adb's RSA authentication.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Auth {
    /// No authentication (like an emulator or a `ro.adb.secure=0` build).
    Skip,
    /// Ask for RSA authentication and accept any new key (the user taps "Allow").
    Accept,
    /// Ask for RSA authentication and never accept (the device stays `unauthorized`).
    Refuse,
}

/// Arguments of `prior sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the handset's adbd listens (loopback only); port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:5655", value_name = "ADDR")]
    listen: SocketAddr,
    /// Also serve an adb-server smart socket here (for machines without `adb`).
    #[arg(long, value_name = "ADDR")]
    smart_socket: Option<SocketAddr>,
    /// A directory of app behaviour models (repeatable).
    #[arg(long = "model", value_name = "DIR")]
    models: Vec<PathBuf>,
    /// Seed for the handset's randomness (pids, identifiers, timing jitter).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The device time zone (`persist.sys.timezone`).
    #[arg(long, default_value = "Asia/Shanghai")]
    timezone: String,
    /// adb authentication.
    #[arg(long, value_enum, default_value = "skip")]
    auth: Auth,
    /// Seconds before the handset reports its boot as completed (`sys.boot_completed`,
    /// `dev.bootcomplete` are unset until then, like a booting emulator).
    #[arg(long, default_value_t = 0.0, value_name = "SECS", value_parser = parse_secs)]
    boot_delay: f64,
    /// Write a pcap of the handset's modelled network traffic to FILE from startup until
    /// Ctrl-C, like the emulator's `-tcpdump FILE` (Ethernet, host clock).
    #[arg(long, value_name = "FILE")]
    tcpdump: Option<PathBuf>,
    /// Read control commands on stdin, one per line — `capture start FILE`, `capture stop` —
    /// and answer each on stdout with `control: ok …` or `control: error …`. The stand-in
    /// emulator of the tests forwards its console's `network capture start|stop` this way.
    #[arg(long)]
    control_stdin: bool,
    /// The kind of handset to play: API level, build type, vendor quirks
    /// (api24|api26|api28|api30|api33|api34 with -user or -userdebug, xiaomi-api30-user,
    /// api33-never-idle; see docs/sim-models.md).
    #[arg(long, default_value = "api33-userdebug", value_name = "NAME", value_parser = parse_profile)]
    profile: DeviceProfile,
}

fn parse_profile(s: &str) -> Result<DeviceProfile, String> {
    DeviceProfile::parse(s).map_err(|e| e.to_string())
}

/// One `--control-stdin` command; the reply after `control: `.
fn control(device: &SimDevice, line: &str) -> String {
    let line = line.trim();
    if let Some(path) = line.strip_prefix("capture start ") {
        match device.start_capture(std::path::Path::new(path.trim())) {
            Ok(()) => "ok capturing".to_string(),
            Err(e) => format!("error {e}"),
        }
    } else if line == "capture stop" {
        match device.stop_capture() {
            Ok(stats) => format!("ok {} packets", stats.packets),
            Err(e) => format!("error {e}"),
        }
    } else {
        format!("error unknown control command {line:?}")
    }
}

/// Starts a default (API 33 userdebug) handset for `models` (used by `prior run` with
/// `device: simulated`).
pub fn start(
    listen: SocketAddr,
    smart_socket: Option<SocketAddr>,
    models: &[PathBuf],
    seed: u64,
    timezone: &str,
    auth: AuthPolicy,
) -> Result<(Arc<SimDevice>, SimServer), CliError> {
    let profile = DeviceProfile::default();
    start_with_profile(listen, smart_socket, models, seed, timezone, auth, profile)
}

/// Starts a handset of `profile` for `models` (used by `prior sim`).
pub fn start_with_profile(
    listen: SocketAddr,
    smart_socket: Option<SocketAddr>,
    models: &[PathBuf],
    seed: u64,
    timezone: &str,
    auth: AuthPolicy,
    profile: DeviceProfile,
) -> Result<(Arc<SimDevice>, SimServer), CliError> {
    let config = SimConfig {
        seed,
        timezone: timezone.to_string(),
        model_dirs: models.to_vec(),
        profile,
        ..SimConfig::default()
    };
    let device = SimDevice::new(config)
        .map_err(|e| CliError::input_msg(format!("failed to start the simulated handset: {e}")))?;
    let mut options = SimOptions {
        listen,
        auth,
        ..SimOptions::default()
    };
    if let Some(addr) = smart_socket {
        options.smart_socket = true;
        options.smart_socket_listen = addr;
    }
    let handler: Arc<dyn prior_sim::DeviceHandler> = device.clone();
    let server = SimServer::start(handler, options)
        .map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    Ok((device, server))
}

fn parse_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=86_400.0).contains(&v) => Ok(v),
        _ => Err("expected a number of seconds from 0 to 86400".into()),
    }
}

/// Runs `prior sim`.
pub fn run(args: Args) -> CliResult {
    let auth = match args.auth {
        Auth::Skip => AuthPolicy::Skip,
        Auth::Accept => AuthPolicy::Rsa {
            trusted_keys: Vec::new(),
            new_keys: NewKeyPolicy::Accept,
        },
        Auth::Refuse => AuthPolicy::Rsa {
            trusted_keys: Vec::new(),
            new_keys: NewKeyPolicy::Refuse,
        },
    };
    let (device, server) = start_with_profile(
        args.listen,
        args.smart_socket,
        &args.models,
        args.seed,
        &args.timezone,
        auth,
        args.profile,
    )?;
    device.begin_boot(std::time::Duration::from_secs_f64(args.boot_delay));
    if let Some(file) = &args.tcpdump {
        device
            .start_capture(file)
            .map_err(|e| CliError::input_msg(format!("failed to {e}")))?;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    // Ctrl-C, SIGTERM or SIGHUP stop it cleanly (a running capture is closed).
    for signo in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(signo, Arc::clone(&flag))
            .map_err(|e| CliError::device_msg(format!("failed to handle signal {signo}: {e}")))?;
    }
    say!(
        "SIMULATED handset (not a real device) serving adbd on {}",
        server.adbd_addr()
    );
    say!("  connect with: adb connect {}", server.adbd_addr());
    if let Some(s) = server.smart_socket_addr() {
        say!(
            "  or without adb: ADB_SERVER_SOCKET=tcp:{s} (serial {})",
            server.serial()
        );
    }
    if let Some(file) = &args.tcpdump {
        say!(
            "  capturing its network traffic into {} (pcap, Ethernet, host clock)",
            file.display()
        );
    }
    say!("  device profile: {}", args.profile);
    let models = device.model_packages();
    if models.is_empty() {
        say!(
            "  no app behaviour models loaded (--model DIR): it installs apps but refuses to start them"
        );
    } else {
        say!(
            "  behaviour models for: {} (other apps are installed but never started)",
            models.join(", ")
        );
    }
    say!("Ctrl-C (or SIGTERM) stops it.");
    if args.control_stdin {
        let device = Arc::clone(&device);
        std::thread::spawn(move || {
            for line in std::io::stdin().lines() {
                let Ok(line) = line else { break };
                say!("control: {}", control(&device, &line));
            }
        });
    }
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(server);
    // A capture still running (from --tcpdump or a control command) is closed cleanly.
    if let Ok(stats) = device.stop_capture() {
        say!(
            "network capture {}: {} packets of {} contacts, {} bytes",
            stats.path.display(),
            stats.packets,
            stats.records,
            stats.bytes
        );
    }
    Ok(Outcome::Done)
}

/// The simulated handset's network capture as the recorder's hook (`prior run` with
/// `device: simulated`): the handset's own pcap writer, started and stopped like the
/// emulator's console `network capture start FILE` / `network capture stop`.
pub struct SimNetCapture {
    device: Arc<SimDevice>,
}

impl SimNetCapture {
    /// A hook for `device`.
    pub fn new(device: Arc<SimDevice>) -> SimNetCapture {
        SimNetCapture { device }
    }
}

use prior_record::record::CaptureError;

impl prior_record::record::NetCapture for SimNetCapture {
    fn start(&mut self, dest: &std::path::Path) -> Result<(), CaptureError> {
        self.device
            .start_capture(dest)
            .map_err(|e| CaptureError::device("start the simulated handset's capture", e))
    }

    fn stop(&mut self) -> Result<(), CaptureError> {
        self.device
            .stop_capture()
            .map(|_| ())
            .map_err(|e| CaptureError::device("stop the simulated handset's capture", e))
    }

    fn describe(&self) -> String {
        "the SIMULATED handset's pcap of its modelled traffic (Ethernet, host clock)".to_string()
    }
}

/// The simulated handset's modelled emulator console for the honey step's `geo fix`
/// (`SimDevice::geo_fix`, longitude first like the console).
pub struct SimGeoConsole {
    device: Arc<SimDevice>,
}

impl SimGeoConsole {
    /// A console for `device`.
    pub fn new(device: Arc<SimDevice>) -> SimGeoConsole {
        SimGeoConsole { device }
    }
}

impl prior_record::honey::GeoConsole for SimGeoConsole {
    fn geo_fix(&mut self, longitude: f64, latitude: f64) -> Result<(), String> {
        self.device.geo_fix(longitude, latitude)
    }

    fn describe(&self) -> String {
        "the SIMULATED handset's modelled emulator console".to_string()
    }
}
