//! The recorder: one scenario, one device, one bundle.
//!
//! Order of work (every collector is armed before the app process can start):
//! 1. device facts (`getprop`, device clock and UTC offset) — a device that is not booted is an
//!    error before any bundle exists;
//! 2. the bundle is created; from here on every failure still leaves a readable bundle, marked
//!    incomplete with the reason;
//! 3. a true first launch: uninstall any previous copy, install without granting anything;
//! 4. logcat buffers enlarged and cleared, the stream started and proven live with a marker;
//!    an app-ops baseline; `am trace-ipc start`;
//! 5. the steps: `launch`, waits (app-ops polled while the app runs), the consent driver, taps…
//!    Before the consent tap the app-ops and the IPC trace are captured (app-ops keep only the
//!    last access per op, so a post-consent access would overwrite the pre-consent one);
//! 6. end snapshots, a final marker (proof the stream caught up), the stream stopped, the
//!    network capture stopped, the bundle sealed.
//!
//! Network capture: when [`RecordOptions::net_capture`] is set, its [`NetCapture::start`] is
//! called with `BUNDLE/raw/net.pcap` at the end of step 4 (after install, after the other
//! collectors are armed, before the first step can launch the app), and [`NetCapture::stop`]
//! after the logcat stream is stopped — on every path, also after a failure, a crash or
//! Ctrl-C — and before the manifest is written, so the file is covered by
//! `MANIFEST.sha256`. Both are recorded as harness `note` records naming the capture
//! ([`NetCapture::describe`]); a failure is noted, never fatal.

use crate::detect::{self, Detection};
pub use crate::stop::Stop;
use crate::watch::{LogcatSink, Watch};
use prior_device::{
    Cmd, Component, Device, DeviceError, DeviceKind, Output, PackageName, StreamHandle, Uninstalled,
};
use prior_model::Source;
use prior_model::bundle::{
    AppInfo, BundleError, BundleWriter, CollectorCause, CollectorState, ConsentAction, DeviceInfo,
    HarnessRecord, Meta, RecordingState, ScenarioInfo,
};
use prior_parse::ui::UiDump;
use prior_scenario::{ConsentMode, Scenario, Selector, Step, WaitTarget};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use crate::device_cmds::LOGCAT_ARGS;
use crate::device_cmds::{self, LOGCAT_CLEAR_ARGS};
/// Where UI dumps are written on the device.
const UI_DUMP_PATH: &str = "/data/local/tmp/prior-ui.xml";
/// Where IPC traces are dumped on the device (system_server must be able to write it).
const IPC_DUMP_PATH: &str = "/data/local/tmp/prior-ipc.txt";
/// Where the network capture is written, relative to the bundle root.
pub const NET_CAPTURE_FILE: &str = "raw/net.pcap";

/// A network capture of the device's traffic that the recorder starts and stops: the
/// emulator's (console `network capture start FILE` / `network capture stop`, or `-tcpdump`
/// at boot) or the simulated handset's. The file it writes must be a pcap or pcapng whose
/// timestamps are on the **host** clock (the analyzer maps them to the device clock with
/// `meta.device.clock_offset_us`).
///
/// Errors read after "failed to …"; the recorder records them (a capture that does not start
/// is a `net` collector record, failed) and goes on.
pub trait NetCapture: Send {
    /// Starts writing the capture into `dest` (`BUNDLE/raw/net.pcap`, which does not exist
    /// yet; its directory does).
    fn start(&mut self, dest: &Path) -> Result<(), CaptureError>;
    /// Stops the capture; when this returns, the file is complete.
    fn stop(&mut self) -> Result<(), CaptureError>;
    /// What captures, for the harness log (e.g. `SIMULATED handset capture of its modelled
    /// traffic`).
    fn describe(&self) -> String;
}

/// Where the intercepted HTTP(S) flows are written, relative to the bundle root.
pub const HTTP_FILE: &str = "raw/http.jsonl";

/// An interception proxy the recorder starts and stops (issue 18, `docs/interception.md`):
/// Prior's mitmdump, with the device's traffic sent through it. It is started right after the
/// network capture (before the first step can launch the app) and stopped right after it, on
/// every path, before the manifest is written.
pub trait HttpIntercept: Send {
    /// Starts interception, its addon writing into `dest` (`BUNDLE/raw/http.jsonl`).
    fn start(&mut self, dest: &Path) -> Result<InterceptStarted, CaptureError>;
    /// Stops it; when this returns, the file is complete. Returns a line for the harness log.
    fn stop(&mut self) -> Result<String, CaptureError>;
    /// What intercepts, for the harness log.
    fn describe(&self) -> String;
}

/// What [`HttpIntercept::start`] set up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterceptStarted {
    /// Harness notes (proxy address, CA installed or not and how).
    pub notes: Vec<String>,
    /// Set when only part of the traffic can be decrypted (e.g. `HTTPS not decrypted: the
    /// mitmproxy CA could not be installed as a system CA (user build)`): an `http` collector
    /// record, partial, with this reason.
    pub partial: Option<String>,
}

/// Why a [`NetCapture`] could not start or stop. The message reads after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The device, emulator console or simulated handset refused or could not be reached.
    #[error("{action}: {reason}")]
    Device {
        /// What was being done, e.g. `start the emulator's capture`.
        action: String,
        /// What went wrong.
        reason: String,
    },
    /// A capture file could not be found, read, written or copied.
    #[error("{action}: {source}")]
    File {
        /// What was being done, e.g. `copy the capture a.pcap to raw/net.pcap`.
        action: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl CaptureError {
    /// A [`CaptureError::Device`].
    pub fn device(action: impl Into<String>, reason: impl std::fmt::Display) -> CaptureError {
        CaptureError::Device {
            action: action.into(),
            reason: reason.to_string(),
        }
    }

    /// A [`CaptureError::File`].
    pub fn file(action: impl Into<String>, source: std::io::Error) -> CaptureError {
        CaptureError::File {
            action: action.into(),
            source,
        }
    }
}

/// Facts about the app under test, read from its APK (or given as a package).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppUnderTest {
    /// Package name.
    pub package: String,
    /// Component to launch, `pkg/.Activity` or `pkg/com.x.Activity`; resolved on the device
    /// when `None`.
    pub component: Option<String>,
    /// The APK to install fresh; `None` = already installed (then it is not reinstalled).
    pub apk: Option<PathBuf>,
    /// sha256 of the APK.
    pub apk_sha256: Option<String>,
    /// `versionName`.
    pub version_name: Option<String>,
    /// `versionCode`.
    pub version_code: Option<String>,
    /// `android:debuggable` from the APK's manifest, when known: the fallback when the
    /// device's `dumpsys package` does not say.
    pub debuggable: Option<bool>,
}

/// What the recorder tells the operator while it works.
pub trait Progress: Send + Sync {
    /// A step started (`index` from 1).
    fn step(&self, index: usize, total: usize, text: &str);
    /// Something worth a line (consent seen, a permission dialog, a retry…).
    fn note(&self, text: &str);
    /// The operator must act (manual mode).
    fn operator(&self, text: &str);
}

/// Progress that says nothing.
pub struct Silent;

impl Progress for Silent {
    fn step(&self, _: usize, _: usize, _: &str) {}
    fn note(&self, _: &str) {}
    fn operator(&self, _: &str) {}
}

/// Options of one recording.
#[derive(Clone)]
pub struct RecordOptions {
    /// The bundle directory to create (must not exist or be empty).
    pub bundle_dir: PathBuf,
    /// Prior's version, for `meta.json`.
    pub tool_version: String,
    /// The device is Prior's simulated handset.
    pub simulated: bool,
    /// The device is an emulator.
    pub emulator: bool,
    /// Set by Ctrl-C, SIGTERM or SIGHUP: the recorder stops early and seals an incomplete
    /// bundle whose reason is the request's (`stopped by SIGTERM`).
    pub stop: Arc<Stop>,
    /// How often the UI is dumped while waiting for a screen.
    pub ui_poll: Duration,
    /// How often app-ops are snapshotted during `wait` steps.
    pub appops_poll: Duration,
    /// The text of the scenario after `${VAR}` substitution (kept in the bundle).
    pub scenario_text: String,
    /// The network capture to run into `raw/net.pcap`, if any. Shared (`Arc<Mutex<…>>`) so
    /// the options stay `Clone`; the recorder locks it only to start and stop it.
    pub net_capture: Option<Arc<Mutex<dyn NetCapture>>>,
    /// The emulator console the honey step sets the GPS fix through (`geo fix`), if the
    /// device has one (an emulator, or the simulated handset's modelled console). Used only
    /// when the scenario's `honey:` is true.
    pub geo_console: Option<Arc<Mutex<dyn crate::honey::GeoConsole>>>,
    /// The interception proxy to run into `raw/http.jsonl`, if the scenario intercepts.
    pub http_intercept: Option<Arc<Mutex<dyn HttpIntercept>>>,
    /// The rule profile the session is recorded for (name, file, content sha256), sealed in
    /// `meta.json` as `profile_used` so a later analysis under another profile says so.
    pub profile_used: Option<prior_model::bundle::ProfileRecord>,
}

impl RecordOptions {
    /// Defaults for a bundle directory.
    pub fn new(bundle_dir: PathBuf, tool_version: &str) -> Self {
        RecordOptions {
            bundle_dir,
            tool_version: tool_version.to_string(),
            simulated: false,
            emulator: false,
            stop: Arc::new(Stop::new()),
            ui_poll: Duration::from_millis(250),
            appops_poll: Duration::from_secs(2),
            scenario_text: String::new(),
            net_capture: None,
            geo_console: None,
            http_intercept: None,
            profile_used: None,
        }
    }
}

/// How a recording ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// The sealed bundle.
    pub bundle_dir: PathBuf,
    /// Complete or incomplete.
    pub state: RecordingState,
    /// Why incomplete.
    pub reason: Option<String>,
    /// The recorder's own time, excluding the scenario's explicit waits (for the overhead
    /// benchmark).
    pub overhead: Duration,
}

/// Failures before a bundle exists (afterwards, failures make the bundle incomplete).
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The device could not be used.
    #[error("prepare device {serial}: {message}")]
    Device {
        /// adb serial.
        serial: String,
        /// What went wrong.
        message: String,
    },
    /// The bundle could not be created or sealed.
    #[error("{0}")]
    Bundle(#[from] BundleError),
    /// The app's package or component is not a valid Android name.
    #[error("use the app: {0}")]
    App(String),
}

fn host_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

const LONG: Duration = Duration::from_secs(120);

/// Reads the device facts; errors if the device is not booted.
pub fn device_facts(dev: &Device, simulated: bool) -> Result<(DeviceInfo, Vec<u8>), RecordError> {
    let err = |m: String| RecordError::Device {
        serial: dev.serial().to_string(),
        message: m,
    };
    let facts = dev.facts().map_err(|e| err(e.to_string()))?;
    if !facts.boot_completed {
        return Err(err("the device has not finished booting (sys.boot_completed is not 1); wait for it or run `prior doctor`".into()));
    }
    let clock = dev.clock_sample().map_err(|e| err(e.to_string()))?;
    // raw/ holds device output exactly as received.
    let getprop = facts.getprop_raw.clone();
    let info = DeviceInfo {
        serial: dev.serial().to_string(),
        model: facts.model.clone(),
        api_level: facts.api_level,
        fingerprint: facts.fingerprint.clone(),
        abi: facts.abi.clone(),
        locale: facts.locale.clone(),
        timezone: facts.timezone.clone(),
        utc_offset_s: facts.utc_offset_s.unwrap_or(0),
        clock_offset_us: Some(clock.offset_us()),
        emulator: facts.kind == DeviceKind::Emulator,
        simulated: simulated || facts.kind == DeviceKind::Simulated,
        build_type: facts
            .props
            .get("ro.build.type")
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty()),
        debuggable: device_cmds::prop_debuggable(
            facts.props.get("ro.debuggable").map(String::as_str),
        ),
    };
    Ok((info, getprop))
}

/// Records `scenario` for `app` on `dev` into a new bundle.
#[tracing::instrument(level = "info", skip_all, fields(package = %app.package))]
pub fn record(
    scenario: &Scenario,
    app: &AppUnderTest,
    dev: &Device,
    opts: &RecordOptions,
    progress: &dyn Progress,
) -> Result<Recording, RecordError> {
    let started = Instant::now();
    let package = PackageName::new(&app.package).map_err(|e| RecordError::App(e.to_string()))?;
    let (device, getprop) = device_facts(dev, opts.simulated)?;
    let mut meta = Meta::new(
        &opts.tool_version,
        host_us(),
        AppInfo {
            package: app.package.clone(),
            version_name: app.version_name.clone(),
            version_code: app.version_code.clone(),
            launcher_activity: app.component.clone(),
            apk_sha256: app.apk_sha256.clone(),
            apk_file: app
                .apk
                .as_ref()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned()),
            uid: None,
            debuggable: app.debuggable,
        },
        device,
    );
    meta.scenario = Some(ScenarioInfo {
        name: scenario.name.clone(),
        path: scenario.path.display().to_string(),
        text: if opts.scenario_text.is_empty() {
            scenario.source.clone()
        } else {
            opts.scenario_text.clone()
        },
        consent_mode: scenario.consent.mode.as_str().to_string(),
        // Typed, so the analyzer judges it without parsing the scenario again (issue 14).
        expect: Some(scenario.expect.record()),
    });
    // A bundle only ever names a built-in profile; a file is recorded by content
    // (`profile_used`), never as a path for a later analysis to open.
    meta.profile = scenario.profile.as_ref().and_then(|p| match p {
        prior_scenario::ProfileRef::Builtin(n) => Some(n.clone()),
        prior_scenario::ProfileRef::File(_) => None,
    });
    meta.profile_used = opts.profile_used.clone();
    let writer = BundleWriter::create(&opts.bundle_dir, meta)?;
    writer.write_raw("raw/device/getprop.txt", &getprop)?;
    let mut s = Session {
        dev,
        opts,
        progress,
        scenario,
        app: app.clone(),
        package,
        w: writer,
        watch: Arc::new(Watch::default()),
        stream: None,
        nonce: format!("{:x}", host_us() ^ (std::process::id() as i64) << 20),
        files: 0,
        ipc_from: None,
        consent_done: false,
        waited: Duration::ZERO,
        last_ui: None,
        consent_seen: false,
        launched_at: None,
        last_watch: None,
        last_prompt_file: None,
        net_capture_running: false,
        intercept_running: false,
        appops_full: false,
        collector_reasons: Vec::new(),
        ui_ok: 0,
        ui_failed: 0,
        ui_last_error: None,
    };
    let outcome = s.run();
    let reason = match outcome {
        Ok(()) => s.incomplete_reason(),
        Err(e) => Some(e),
    };
    if let Some(r) = &reason {
        // Said before the end captures: if they hang and the recorder is killed (a second
        // Ctrl-C or SIGTERM exits at once), the unsealed bundle still tells why it stopped.
        let _ = s.w.update_meta(|m| m.status.reason = Some(r.clone()));
        let _ = s.rec(HarnessRecord::Note {
            text: format!("ending the session as incomplete ({r}); taking the end captures and sealing the bundle"),
        });
    }
    // End captures, best effort even after a failure (not after a vanished device).
    let device_gone = reason.as_deref().is_some_and(|r| r.starts_with("device"));
    if !device_gone {
        s.end_captures();
    }
    s.stop_stream(!device_gone);
    s.stop_net_capture();
    s.stop_intercept();
    s.ui_summary();
    let reason = reason.or_else(|| s.incomplete_reason());
    let state = if reason.is_some() {
        RecordingState::Incomplete
    } else {
        RecordingState::Complete
    };
    let uid = s.watch.with(|w| w.app_uid).flatten();
    let mut w = s.w;
    if uid.is_some() && w.meta().app.uid.is_none() {
        w.update_meta(|m| m.app.uid = uid)?;
    }
    let overhead = started.elapsed().saturating_sub(s.waited);
    let dir = w.finish(host_us(), state, reason.clone())?;
    Ok(Recording {
        bundle_dir: dir,
        state,
        reason,
        overhead,
    })
}

struct Session<'a> {
    dev: &'a Device,
    opts: &'a RecordOptions,
    progress: &'a dyn Progress,
    scenario: &'a Scenario,
    app: AppUnderTest,
    package: PackageName,
    w: BundleWriter,
    watch: Arc<Watch>,
    stream: Option<StreamHandle>,
    nonce: String,
    files: u32,
    ipc_from: Option<i64>,
    consent_done: bool,
    waited: Duration,
    /// The last saved UI dump: (bundle file, text).
    last_ui: Option<(String, String)>,
    /// The consent screen has been seen (a `consent_shown` record exists).
    consent_seen: bool,
    /// When the app was first launched.
    launched_at: Option<Instant>,
    /// When the UI was last watched during a `wait` step.
    last_watch: Option<Instant>,
    /// The UI dump of the last recorded permission prompt (one record per dialog).
    last_prompt_file: Option<String>,
    /// [`RecordOptions::net_capture`] was started and not yet stopped.
    net_capture_running: bool,
    /// [`RecordOptions::http_intercept`] was started and not yet stopped.
    intercept_running: bool,
    /// The device refused `dumpsys appops --package`: take the plain dump.
    appops_full: bool,
    /// Collector records written so far (source, reason): each is written once.
    collector_reasons: Vec<(Source, String)>,
    /// UI dumps that worked / failed (after their retries), and the last failure.
    ui_ok: u32,
    ui_failed: u32,
    ui_last_error: Option<String>,
}

/// How often `uiautomator dump` is tried for one UI look before it counts as failed.
const UI_DUMP_ATTEMPTS: u32 = 3;

type Res<T> = Result<T, String>;

fn dev_err(what: &str) -> impl Fn(DeviceError) -> String + '_ {
    move |e| format!("device error while {what}: {e}")
}

impl Session<'_> {
    fn rec(&mut self, r: HarnessRecord) -> Res<()> {
        self.w
            .record(host_us(), r)
            .map(|_| ())
            .map_err(|e| format!("bundle write failed: {e}"))
    }

    fn note(&mut self, text: &str) -> Res<()> {
        self.progress.note(text);
        self.rec(HarnessRecord::Note {
            text: text.to_string(),
        })
    }

    /// Records what a collector could not do (once per source and reason) and tells the
    /// operator.
    /// Records what a collector could not do. `cause` is `None` when only the device's own
    /// words say why (the analyzer then reads the cause from `reason`).
    fn collector(
        &mut self,
        source: Source,
        state: CollectorState,
        cause: Option<CollectorCause>,
        reason: &str,
    ) -> Res<()> {
        let key = (source, reason.to_string());
        if self.collector_reasons.contains(&key) {
            return Ok(());
        }
        self.collector_reasons.push(key);
        self.progress.note(&format!(
            "{} collector {}: {reason}",
            source.as_str(),
            state.as_str()
        ));
        self.rec(HarnessRecord::Collector {
            source,
            state,
            cause,
            reason: reason.to_string(),
        })
    }

    /// At the end: a UI collector record when dumps failed (partial when some worked).
    fn ui_summary(&mut self) {
        if self.ui_failed == 0 {
            return;
        }
        let why = self.ui_last_error.clone().unwrap_or_default();
        let (state, reason) = if self.ui_ok == 0 {
            (
                CollectorState::Failed,
                format!(
                    "every UI dump failed ({} looks, {UI_DUMP_ATTEMPTS} tries each): {why}",
                    self.ui_failed
                ),
            )
        } else {
            (
                CollectorState::Partial,
                format!(
                    "{} of {} UI looks failed ({UI_DUMP_ATTEMPTS} tries each): {why}",
                    self.ui_failed,
                    self.ui_failed + self.ui_ok
                ),
            )
        };
        let _ = self.collector(Source::Ui, state, Some(CollectorCause::Other), &reason);
    }

    fn next_file(&mut self) -> u32 {
        self.files += 1;
        self.files
    }

    fn incomplete_reason(&self) -> Option<String> {
        if let Some(c) = self.watch.with(|w| w.crash.clone()).flatten() {
            return Some(c);
        }
        if let Some(e) = self.watch.with(|w| w.write_error.clone()).flatten() {
            return Some(format!("writing raw/logcat.txt failed: {e}"));
        }
        if let Some(r) = self.opts.stop.reason() {
            return Some(r);
        }
        if self.stream.as_ref().is_some_and(|s| s.is_finished()) {
            return Some("the logcat stream ended early (device disconnected?)".to_string());
        }
        None
    }

    fn check_alive(&self) -> Res<()> {
        match self.incomplete_reason() {
            Some(r) => Err(r),
            None => Ok(()),
        }
    }

    fn sh(&self, cmd: Cmd, what: &str) -> Res<Output> {
        self.dev.shell(&cmd, LONG).map_err(dev_err(what))
    }

    /// Runs `cmd` after `date +%s.%N`: returns the device time and the command's output.
    fn timed(&self, cmd: Cmd, what: &str) -> Res<(i64, Vec<u8>)> {
        self.timed_with_stderr(cmd, what)
            .map(|(t, out, _)| (t, out))
    }

    /// [`Session::timed`], also returning the command's stderr (where `am` prints its errors
    /// on shell v2 devices).
    fn timed_with_stderr(&self, cmd: Cmd, what: &str) -> Res<(i64, Vec<u8>, Vec<u8>)> {
        let out = self.sh(Cmd::new("date").raw("+%s.%N").then(cmd), what)?;
        let nl = out
            .stdout
            .iter()
            .position(|b| *b == b'\n')
            .unwrap_or(out.stdout.len());
        let t = prior_parse::clock::parse_date_output(
            String::from_utf8_lossy(&out.stdout[..nl]).trim(),
        )
        .map(|(us, _)| us)
        .ok_or_else(|| format!("device error while {what}: `date +%s.%N` printed no time"))?;
        let rest = out.stdout.get(nl + 1..).unwrap_or_default().to_vec();
        Ok((t, rest, out.stderr))
    }

    fn run(&mut self) -> Res<()> {
        for w in device_cmds::device_warnings(&self.w.meta().device) {
            self.note(&w)?;
        }
        // A stop requested before or during the (long) install ends the session there.
        self.check_alive()?;
        self.prepare_app()?;
        self.check_alive()?;
        self.honey()?;
        self.check_alive()?;
        self.arm()?;
        let total = self.scenario.steps.len();
        for (i, step) in self.scenario.steps.iter().enumerate() {
            self.check_alive()?;
            let text = describe(&step.step);
            self.progress.step(i + 1, total, &text);
            self.rec(HarnessRecord::Step {
                index: (i + 1) as u32,
                step: text,
            })?;
            self.step(&step.step)?;
        }
        // A scenario without a consent step: if the screen never appeared while Prior watched
        // the UI during the waits, that is itself the finding "no consent screen".
        if let Some(launched) = self.launched_at
            && !self.consent_done
            && !self.consent_seen
            && self.ui_ok > 0
        {
            let ms = launched.elapsed().as_millis() as u64;
            self.note(&format!(
                "no consent screen appeared during the {} s after launch",
                ms / 1000
            ))?;
            self.rec(HarnessRecord::ConsentMissing { timeout_ms: ms })?;
        }
        Ok(())
    }

    #[tracing::instrument(level = "info", skip_all)]
    fn prepare_app(&mut self) -> Res<()> {
        let pkg = self.app.package.clone();
        let p = self.package.clone();
        if let Some(apk) = self.app.apk.clone() {
            // The same check `prior run` and `prior check` made before: the path may have been
            // replaced since (by a FIFO, a device), and pushing one would hang.
            prior_apk::open_apk_file(&apk)
                .map_err(|e| format!("failed to read APK {}: {e}", apk.display()))?;
            let removed = self
                .dev
                .uninstall(&p)
                .map_err(dev_err("uninstalling the previous copy"))?;
            if removed == Uninstalled::Removed {
                self.note(&format!("uninstalled a previous copy of {pkg}"))?;
            }
            self.dev
                .install_apk(&apk, LONG)
                .map_err(|e| format!("device error while installing {}: {e}", apk.display()))?;
        } else {
            // Already installed: clear its data so this is still a first launch.
            let out = self.sh(
                Cmd::new("pm").raw("clear").pkg(&p),
                "clearing the app's data",
            )?;
            if !out.stdout_text().contains("Success") {
                return Err(format!(
                    "device error while clearing {pkg}: {}",
                    out.stdout_text().trim()
                ));
            }
        }
        let list = self.sh(
            Cmd::new("pm").raw("list packages -U").pkg(&p),
            "reading the app's uid",
        )?;
        let uid = prior_parse::pm::parse_list_packages(&list.stdout_text())
            .packages
            .iter()
            .find(|p| p.name == pkg)
            .and_then(|p| p.uid);
        if uid.is_some() {
            self.w
                .update_meta(|m| m.app.uid = uid)
                .map_err(|e| format!("bundle write failed: {e}"))?;
        }
        self.app_debuggable()?;
        if self.app.component.is_none() {
            let out = self.sh(
                Cmd::new("cmd")
                    .raw("package resolve-activity --brief")
                    .pkg(&p),
                "resolving the launcher activity",
            )?;
            match prior_parse::pm::parse_resolve_activity(&out.stdout_text()) {
                prior_parse::pm::ResolvedActivity::Found { component, .. } => {
                    self.app.component = Some(component.clone());
                    self.w
                        .update_meta(|m| m.app.launcher_activity = Some(component))
                        .map_err(|e| format!("bundle write failed: {e}"))?;
                }
                _ => {
                    return Err(format!(
                        "device error while resolving the launcher activity of {pkg}: {}",
                        out.stdout_text().trim()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether the installed app is debuggable: `DEBUGGABLE` in `dumpsys package`'s
    /// `pkgFlags`, else the APK's `android:debuggable`. The dump is kept as evidence.
    fn app_debuggable(&mut self) -> Res<()> {
        let out = self.sh(
            Cmd::new("dumpsys").raw("package").pkg(&self.package),
            "reading the app's package flags",
        )?;
        self.w
            .write_raw("raw/device/dumpsys-package.txt", &out.stdout)
            .map_err(|e| format!("bundle write failed: {e}"))?;
        let parsed = prior_parse::package::parse_package_dump_bytes(&out.stdout, &self.app.package);
        let debuggable = parsed.debuggable().or(self.app.debuggable);
        if parsed.debuggable().is_none() {
            self.note(&format!(
                "dumpsys package did not show the app's pkgFlags; debuggable taken from the APK: {}",
                debuggable.map_or("unknown".to_string(), |d| d.to_string())
            ))?;
        }
        self.w
            .update_meta(|m| m.app.debuggable = debuggable)
            .map_err(|e| format!("bundle write failed: {e}"))
    }

    /// The honey step (`honey.rs`): after the install, before the collectors are armed and
    /// long before the first launch. `honey: false` in the scenario skips it (a note says so);
    /// without `honey:` a physical device only gets the reads (no contact, no calendar entry).
    #[tracing::instrument(level = "info", skip_all)]
    fn honey(&mut self) -> Res<()> {
        if self.scenario.honey == Some(false) {
            return self.note("honey data skipped (honey: false in the scenario)");
        }
        let write = self.scenario.honey.unwrap_or({
            let d = &self.w.meta().device;
            d.emulator || d.simulated || self.opts.emulator || self.opts.simulated
        });
        let side = {
            let d = &self.w.meta().device;
            crate::honey::DeviceSide {
                api: d.api_level,
                debuggable: d.debuggable.unwrap_or(false),
                write,
                now_ms: self
                    .dev
                    .device_time_us()
                    .map_err(dev_err("reading the device clock"))?
                    / 1000,
            }
        };
        let dev = self.dev;
        let mut sh = |c: &Cmd| dev.shell(c, LONG);
        let file = match self.opts.geo_console.clone() {
            Some(c) => {
                let mut guard = c.lock().unwrap_or_else(|e| e.into_inner());
                crate::honey::collect(&mut sh, side, Some(&mut *guard))
            }
            None => crate::honey::collect(&mut sh, side, None),
        };
        let json = serde_json::to_vec_pretty(&file)
            .map_err(|e| format!("bundle write failed: honey.json: {e}"))?;
        self.w
            .write_raw(prior_model::honey::HONEY_FILE, &json)
            .map_err(|e| format!("bundle write failed: {e}"))?;
        self.note(&crate::honey::summary(&file))?;
        for v in &file.values {
            if v.state != prior_model::honey::HoneyState::Unavailable {
                continue;
            }
            let reason = v.reason.clone().unwrap_or_default();
            let cause = crate::honey::cause_of(v, side);
            // One record per value, without a terminal line each: the note above names them.
            self.rec(HarnessRecord::Collector {
                source: Source::Honey,
                state: CollectorState::Unavailable,
                cause: Some(cause),
                reason: format!("{}: {reason}", v.kind),
            })?;
        }
        Ok(())
    }

    #[tracing::instrument(level = "info", skip_all)]
    fn arm(&mut self) -> Res<()> {
        // Enlarge and clear every buffer, then stream.
        let _ = self.sh(
            Cmd::new("logcat").raw("-G 16M"),
            "enlarging the logcat buffers",
        );
        self.sh(Cmd::new("logcat").raw(LOGCAT_CLEAR_ARGS), "clearing logcat")?;
        let file = self
            .w
            .append_raw("raw/logcat.txt")
            .map_err(|e| format!("bundle write failed: {e}"))?;
        let sink = LogcatSink::new(file, Arc::clone(&self.watch), &self.app.package);
        let handle = self
            .dev
            .shell_stream(&Cmd::new("logcat").raw(LOGCAT_ARGS), Box::new(sink))
            .map_err(dev_err("starting the logcat stream"))?;
        self.stream = Some(handle);
        let armed = format!("armed {}", self.nonce);
        self.marker(&armed)?;
        if self
            .watch
            .wait_marker(&armed, Duration::from_secs(15))
            .is_none()
        {
            return Err(
                "device error while arming logcat: the armed marker never arrived in the stream"
                    .to_string(),
            );
        }
        self.appops_snapshot("baseline")?;
        let (t, out) = self.timed(
            Cmd::new("am").raw("trace-ipc start"),
            "starting the IPC trace",
        )?;
        if !String::from_utf8_lossy(&out).contains("Starting IPC tracing") {
            self.note(&format!(
                "am trace-ipc start said: {}",
                String::from_utf8_lossy(&out).trim()
            ))?;
        }
        self.ipc_from = Some(t);
        let reason = {
            let meta = self.w.meta();
            device_cmds::ipc_unavailable_reason(&meta.device, &meta.app)
        };
        if let Some(reason) = reason {
            // Still traced and dumped: the dumps show what the device gave.
            self.collector(
                Source::Ipc,
                CollectorState::Unavailable,
                Some(CollectorCause::UserBuild),
                &reason,
            )?;
        }
        self.start_net_capture()?;
        self.start_intercept()
    }

    /// Starts the interception proxy, if there is one. Only a bundle write error is an error;
    /// a proxy that does not start is an `http` collector record (failed).
    fn start_intercept(&mut self) -> Res<()> {
        let Some(hook) = self.opts.http_intercept.clone() else {
            return Ok(());
        };
        let dest = self.w.root().join(HTTP_FILE);
        let (what, result) = {
            let mut h = hook.lock().unwrap_or_else(|e| e.into_inner());
            (h.describe(), h.start(&dest))
        };
        match result {
            Ok(started) => {
                self.intercept_running = true;
                self.note(&format!("interception started into {HTTP_FILE}: {what}"))?;
                for n in &started.notes {
                    self.note(n)?;
                }
                match started.partial {
                    Some(reason) => self.collector(
                        Source::Http,
                        CollectorState::Partial,
                        Some(CollectorCause::Other),
                        &reason,
                    ),
                    None => Ok(()),
                }
            }
            Err(e) => self.collector(
                Source::Http,
                CollectorState::Failed,
                Some(CollectorCause::NotStarted),
                &format!(
                    "interception ({what}) did not start (failed to {e}): no HTTP(S) flow was recorded"
                ),
            ),
        }
    }

    /// Stops the interception proxy if it runs (every path, before the bundle is sealed).
    fn stop_intercept(&mut self) {
        if !self.intercept_running {
            return;
        }
        self.intercept_running = false;
        let Some(hook) = self.opts.http_intercept.clone() else {
            return;
        };
        let (what, result) = {
            let mut h = hook.lock().unwrap_or_else(|e| e.into_inner());
            (h.describe(), h.stop())
        };
        let text = match result {
            Ok(line) => format!("interception stopped: {line}"),
            Err(e) => format!(
                "interception ({what}) did not stop cleanly: failed to {e}; {HTTP_FILE} may be cut short"
            ),
        };
        let _ = self.note(&text);
    }

    /// Starts the network capture, if there is one. Only a bundle write error is an error.
    fn start_net_capture(&mut self) -> Res<()> {
        let Some(cap) = self.opts.net_capture.clone() else {
            return Ok(());
        };
        let dest = self.w.root().join(NET_CAPTURE_FILE);
        let (what, result) = {
            let mut c = cap.lock().unwrap_or_else(|e| e.into_inner());
            (c.describe(), c.start(&dest))
        };
        match result {
            Ok(()) => {
                self.net_capture_running = true;
                self.rec(HarnessRecord::Note {
                    text: format!("network capture started into {NET_CAPTURE_FILE}: {what}"),
                })
            }
            Err(e) => {
                self.note(&format!(
                    "network capture ({what}) did not start: failed to {e}; tracker contacts cannot be checked"
                ))?;
                self.rec(HarnessRecord::Collector {
                    source: Source::Net,
                    state: CollectorState::Failed,
                    cause: Some(CollectorCause::NotStarted),
                    reason: format!(
                        "the network capture did not start (failed to {e}): tracker contacts could not be checked"
                    ),
                })
            }
        }
    }

    /// Stops the network capture if it runs (every path, before the bundle is sealed).
    fn stop_net_capture(&mut self) {
        if !self.net_capture_running {
            return;
        }
        self.net_capture_running = false;
        let Some(cap) = self.opts.net_capture.clone() else {
            return;
        };
        let (what, result) = {
            let mut c = cap.lock().unwrap_or_else(|e| e.into_inner());
            (c.describe(), c.stop())
        };
        let size = std::fs::metadata(self.w.root().join(NET_CAPTURE_FILE)).map(|m| m.len());
        let text = match (result, size) {
            (Ok(()), Ok(n)) => {
                format!("network capture stopped: {NET_CAPTURE_FILE} has {n} bytes ({what})")
            }
            (Ok(()), Err(_)) => {
                format!("network capture stopped, but {NET_CAPTURE_FILE} does not exist ({what})")
            }
            (Err(e), _) => format!(
                "network capture ({what}) did not stop cleanly: failed to {e}; {NET_CAPTURE_FILE} may be cut short"
            ),
        };
        let _ = self.note(&text);
    }

    fn marker(&mut self, message: &str) -> Res<()> {
        self.sh(
            Cmd::new("log")
                .raw("-t prior")
                .arg(message)
                .map_err(|e| e.to_string())?,
            "writing a marker",
        )?;
        self.rec(HarnessRecord::Marker {
            message: message.to_string(),
        })
    }

    /// One app-ops snapshot. The command depends on the API level
    /// ([`device_cmds::appops_cmd`]); a device that refuses `--package` is asked for the plain
    /// dump from then on. A reply that is an error is kept as a file but is no snapshot: it
    /// becomes an `appops` collector record (failed), never an empty snapshot.
    #[tracing::instrument(level = "debug", skip(self))]
    fn appops_snapshot(&mut self, label: &str) -> Res<()> {
        let api = self.w.meta().device.api_level;
        let cmd = device_cmds::appops_cmd(api, &self.package, self.appops_full);
        let full = !cmd.as_str().contains("--package");
        let (mut t, mut out) = self.timed(cmd, "reading app-ops")?;
        let mut error = prior_parse::appops::reply_error(&String::from_utf8_lossy(&out));
        if error.is_some() && !full {
            let refused = String::from_utf8_lossy(&out)
                .trim_start()
                .starts_with("Unknown option");
            if refused {
                self.appops_full = true;
                self.note(&format!(
                    "dumpsys appops refused --package ({}); taking the full dump from now on",
                    error.clone().unwrap_or_default()
                ))?;
                (t, out) = self.timed(
                    device_cmds::appops_cmd(api, &self.package, true),
                    "reading app-ops",
                )?;
                error = prior_parse::appops::reply_error(&String::from_utf8_lossy(&out));
            }
        }
        if let Some(e) = error {
            let file = format!("raw/appops/{:03}-{label}-error.txt", self.next_file());
            self.w
                .write_raw(&file, &out)
                .map_err(|e| format!("bundle write failed: {e}"))?;
            self.rec(HarnessRecord::Note {
                text: format!("app-ops snapshot {label} failed; the reply is kept in {file}"),
            })?;
            return self.collector(
                Source::Appops,
                CollectorState::Failed,
                None,
                &format!("the app-ops snapshots failed: {e}"),
            );
        }
        let file = format!("raw/appops/{:03}-{label}.txt", self.next_file());
        self.w
            .write_raw(&file, &out)
            .map_err(|e| format!("bundle write failed: {e}"))?;
        self.rec(HarnessRecord::AppopsSnapshot {
            file,
            device_us: t,
            label: label.to_string(),
        })
    }

    #[tracing::instrument(level = "debug", skip(self))]
    fn ipc_dump(&mut self, label: &str, restart: bool) -> Res<()> {
        let Some(from) = self.ipc_from else {
            return Ok(());
        };
        let cmd = Cmd::new("am")
            .raw("trace-ipc stop --dump-file")
            .raw(IPC_DUMP_PATH)
            .and(Cmd::new("cat").raw(IPC_DUMP_PATH))
            .then(Cmd::new("rm").raw("-f").raw(IPC_DUMP_PATH));
        let (t, out) = self.timed(cmd, "dumping the IPC trace")?;
        // The first line is am's "Stopped IPC tracing. Dumping logs to: …"; the dump follows.
        let text = out;
        let body = match text.iter().position(|b| *b == b'\n') {
            Some(i) if text.starts_with(b"Stopped IPC tracing") => text[i + 1..].to_vec(),
            _ => text,
        };
        let file = format!("raw/ipc/{:03}-{label}.txt", self.next_file());
        self.w
            .write_raw(&file, &body)
            .map_err(|e| format!("bundle write failed: {e}"))?;
        self.check_ipc_dump(&file, &body)?;
        self.rec(HarnessRecord::IpcDump {
            file,
            from_us: from,
            to_us: t,
            label: label.to_string(),
        })?;
        self.ipc_from = None;
        if restart {
            let (t2, _) = self.timed(
                Cmd::new("am").raw("trace-ipc start"),
                "restarting the IPC trace",
            )?;
            self.ipc_from = Some(t2);
        }
        Ok(())
    }

    /// A dump without the app's process means "not traced", never "no binder calls": the
    /// device dumps only processes alive at the stop that pass the debuggable check, and an
    /// empty file when none does (docs/device-behaviour.md (a)). Recorded as partial unless the
    /// IPC collector is already known to be unavailable.
    fn check_ipc_dump(&mut self, file: &str, body: &[u8]) -> Res<()> {
        if self
            .collector_reasons
            .iter()
            .any(|(s, _)| *s == Source::Ipc)
        {
            return Ok(());
        }
        let pkg = self.app.package.clone();
        let dump = prior_parse::ipc::parse_dump_bytes(body);
        let has_app = dump
            .processes
            .iter()
            .any(|p| p.process == pkg || p.process.starts_with(&format!("{pkg}:")));
        if has_app {
            return Ok(());
        }
        let what = if body.iter().all(u8::is_ascii_whitespace) {
            "is empty"
        } else {
            "has no section for the app"
        };
        self.collector(
            Source::Ipc,
            CollectorState::Partial,
            Some(CollectorCause::Other),
            &format!(
                "the IPC dump {file} {what}: the app's process was not traced or not alive when \
                 tracing stopped, so its binder calls in that window are unknown"
            ),
        )
    }

    #[tracing::instrument(level = "debug", skip(self))]
    fn screenshot(&mut self, label: &str) -> Res<()> {
        let (t, png) = self.timed(Cmd::new("screencap").raw("-p"), "taking a screenshot")?;
        if !png.starts_with(b"\x89PNG") {
            return self.note(&format!(
                "screenshot {label}: the device did not return a PNG"
            ));
        }
        let file = format!(
            "raw/screenshots/{:03}-{}.png",
            self.next_file(),
            sanitize(label)
        );
        self.w
            .write_raw(&file, &png)
            .map_err(|e| format!("bundle write failed: {e}"))?;
        self.rec(HarnessRecord::Screenshot {
            file,
            device_us: t,
            label: label.to_string(),
        })
    }

    /// One UI dump: the device time, the XML text and the parsed tree. Saves it in the bundle
    /// when it differs from the previous one. `Ok(None)` when the device could not dump now.
    ///
    /// `uiautomator dump` can fail with exit status 0: on a screen that never goes idle it
    /// prints `ERROR: could not get idle state.` on stderr and writes no file
    /// (`DumpCommand.java`). So the old file is removed first (a stale dump is never read as
    /// a fresh screen), stderr is read, and a failed dump is tried [`UI_DUMP_ATTEMPTS`] times;
    /// failures are counted for the `ui` collector record.
    fn ui(&mut self) -> Res<Option<(i64, String, UiDump)>> {
        let mut last_error = String::new();
        for attempt in 1..=UI_DUMP_ATTEMPTS {
            match self.ui_once()? {
                Ok(found) => {
                    self.ui_ok += 1;
                    return self.keep_ui(found).map(Some);
                }
                Err(e) => last_error = e,
            }
            if attempt < UI_DUMP_ATTEMPTS {
                self.sleep(Duration::from_millis(100));
            }
        }
        self.ui_failed += 1;
        if self.ui_failed == 1 {
            self.note(&format!(
                "uiautomator dump failed {UI_DUMP_ATTEMPTS} times: {last_error}"
            ))?;
        }
        self.ui_last_error = Some(last_error);
        Ok(None)
    }

    /// One `uiautomator dump` attempt: `Ok(Err(reason))` when it produced no readable dump.
    fn ui_once(&mut self) -> Res<Result<(i64, String, UiDump), String>> {
        let cmd = Cmd::new("date")
            .raw("+%s.%N")
            .then(Cmd::new("rm").raw("-f").raw(UI_DUMP_PATH))
            .then(
                Cmd::new("uiautomator")
                    .raw("dump")
                    .raw(UI_DUMP_PATH)
                    .raw(">/dev/null"),
            )
            .then(Cmd::new("cat").raw(UI_DUMP_PATH).raw("2>/dev/null"));
        let out = self.sh(cmd, "dumping the UI")?;
        let nl = out
            .stdout
            .iter()
            .position(|b| *b == b'\n')
            .unwrap_or(out.stdout.len());
        let t = prior_parse::clock::parse_date_output(
            String::from_utf8_lossy(&out.stdout[..nl]).trim(),
        )
        .map(|(us, _)| us)
        .ok_or("device error while dumping the UI: `date +%s.%N` printed no time")?;
        let text =
            String::from_utf8_lossy(out.stdout.get(nl + 1..).unwrap_or_default()).into_owned();
        let stderr = device_cmds::ui_error_line(&out.stderr_text());
        match prior_parse::ui::parse_dump(&text) {
            Ok(dump) => Ok(Ok((t, text, dump))),
            Err(e) => Ok(Err(stderr.unwrap_or_else(|| {
                if text.trim().is_empty() {
                    "uiautomator wrote no dump".to_string()
                } else {
                    format!("the dump could not be read: {e}")
                }
            }))),
        }
    }

    /// Saves a dump that differs from the previous one.
    fn keep_ui(&mut self, (t, text, dump): (i64, String, UiDump)) -> Res<(i64, String, UiDump)> {
        if self.last_ui.as_ref().map(|(_, x)| x.as_str()) != Some(text.as_str()) {
            let file = format!("raw/ui/{:03}.xml", self.next_file());
            self.w
                .write_raw(&file, text.as_bytes())
                .map_err(|e| format!("bundle write failed: {e}"))?;
            self.rec(HarnessRecord::UiDump {
                file: file.clone(),
                device_us: t,
            })?;
            self.last_ui = Some((file, text.clone()));
        }
        Ok((t, text, dump))
    }

    fn last_ui_file(&self) -> String {
        self.last_ui
            .as_ref()
            .map(|(f, _)| f.clone())
            .unwrap_or_default()
    }

    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d);
    }

    fn launch(&mut self) -> Res<()> {
        let Some(component) = self.app.component.clone() else {
            return Err("no launcher activity to start".to_string());
        };
        let c = Component::new(&component).map_err(|e| format!("cannot launch: {e}"))?;
        let (t, mut out, err) = self.timed_with_stderr(
            Cmd::new("am").raw("start -W -n").component(&c),
            "launching the app",
        )?;
        // `am` prints `Error: …` on stderr (shell v2; mixed into stdout on v1 devices).
        out.push(b'\n');
        out.extend_from_slice(&err);
        self.rec(HarnessRecord::Launch {
            device_us: Some(t),
            component: component.clone(),
        })?;
        self.launched_at.get_or_insert_with(Instant::now);
        let reply = prior_parse::am::parse_start(&String::from_utf8_lossy(&out));
        if !reply.errors.is_empty() {
            let said: Vec<&str> = reply.errors.iter().map(|e| e.value.as_str()).collect();
            return Err(format!("the app could not be launched: {}", said.join(" ")));
        }
        Ok(())
    }

    #[tracing::instrument(level = "info", skip_all, fields(step = step.keyword()))]
    fn step(&mut self, step: &Step) -> Res<()> {
        match step {
            Step::Launch => self.launch(),
            Step::Relaunch => {
                self.sh(
                    Cmd::new("am").raw("force-stop").pkg(&self.package),
                    "stopping the app",
                )?;
                self.launch()
            }
            Step::Wait(d) => self.wait(*d),
            Step::AcceptConsent => self.consent(ConsentAction::Accept),
            Step::RejectConsent => self.consent(ConsentAction::Reject),
            Step::Tap { target, timeout } => {
                let (x, y) = self.wait_element(target, *timeout)?.ok_or_else(|| {
                    format!("step failed: no element matching {target} within {timeout:?}")
                })?;
                self.sh(tap(x, y), "tapping")?;
                Ok(())
            }
            Step::Back => self
                .sh(Cmd::new("input").raw("keyevent 4"), "pressing Back")
                .map(|_| ()),
            Step::Screenshot(name) => self.screenshot(name),
            Step::WaitFor { target, timeout } => match target {
                WaitTarget::Element(sel) => self
                    .wait_element(sel, *timeout)?
                    .map(|_| ())
                    .ok_or_else(|| {
                        format!("step failed: no element matching {sel} within {timeout:?}")
                    }),
                WaitTarget::Activity(a) => self.wait_activity(a, *timeout),
            },
        }
    }

    fn wait(&mut self, d: Duration) -> Res<()> {
        let start = Instant::now();
        let mut next_poll = start + self.opts.appops_poll;
        while start.elapsed() < d {
            self.check_alive()?;
            let left = d.saturating_sub(start.elapsed());
            let nap = left.min(Duration::from_millis(100));
            self.sleep(nap);
            self.waited += nap;
            if Instant::now() >= next_poll && start.elapsed() < d {
                self.appops_snapshot("poll")?;
                next_poll = Instant::now() + self.opts.appops_poll;
            }
            let watch_due = self
                .last_watch
                .is_none_or(|w| w.elapsed() >= Duration::from_secs(1));
            if !self.consent_done && self.launched_at.is_some() && watch_due && start.elapsed() < d
            {
                self.last_watch = Some(Instant::now());
                self.watch_ui()?;
            }
        }
        Ok(())
    }

    /// While consent is pending, notes the consent screen and permission dialogs on screen.
    fn watch_ui(&mut self) -> Res<()> {
        let Some((t, _, dump)) = self.ui()? else {
            return Ok(());
        };
        let d = detect::detect(&dump, &self.scenario.consent);
        if d.permission_dialog {
            self.permission_prompt(t, &d)?;
        } else if d.consent_screen && !self.consent_seen {
            self.consent_shown(t)?;
        }
        Ok(())
    }

    fn consent_shown(&mut self, t: i64) -> Res<()> {
        self.consent_seen = true;
        let file = self.last_ui_file();
        self.rec(HarnessRecord::ConsentShown {
            device_us: t,
            ui_file: file,
        })?;
        self.progress.note("consent screen on screen");
        Ok(())
    }

    /// Records a runtime-permission dialog once per distinct dump.
    fn permission_prompt(&mut self, t: i64, d: &Detection) -> Res<()> {
        let file = self.last_ui_file();
        if self.last_prompt_file.as_deref() == Some(file.as_str()) {
            return Ok(());
        }
        self.last_prompt_file = Some(file.clone());
        self.rec(HarnessRecord::PermissionPrompt {
            device_us: t,
            ui_file: file,
            text: d.permission_text.clone(),
        })?;
        let shown = if self.consent_seen {
            ""
        } else {
            " before consent"
        };
        let text = d
            .permission_text
            .as_deref()
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        self.progress.note(&format!(
            "a runtime-permission dialog is on screen{shown}{text}"
        ));
        Ok(())
    }

    fn wait_element(&mut self, sel: &Selector, timeout: Duration) -> Res<Option<(i32, i32)>> {
        let start = Instant::now();
        loop {
            self.check_alive()?;
            if let Some((_, _, dump)) = self.ui()?
                && let Some(t) = detect::find(&dump, sel)
            {
                return Ok(Some((t.center[0], t.center[1])));
            }
            if start.elapsed() >= timeout {
                return Ok(None);
            }
            self.sleep(self.opts.ui_poll);
        }
    }

    fn wait_activity(&mut self, activity: &str, timeout: Duration) -> Res<()> {
        let want = device_cmds::expand_component(&self.app.package, activity);
        let start = Instant::now();
        loop {
            self.check_alive()?;
            let out = self.sh(
                Cmd::new("dumpsys").raw("activity activities"),
                "reading the resumed activity",
            )?;
            if device_cmds::resumed_matches(&out.stdout_text(), &want) {
                return Ok(());
            }
            if start.elapsed() >= timeout {
                return Err(format!(
                    "step failed: activity {want} was not resumed within {timeout:?}"
                ));
            }
            self.sleep(self.opts.ui_poll);
        }
    }

    /// The consent driver.
    #[tracing::instrument(level = "info", skip(self))]
    fn consent(&mut self, action: ConsentAction) -> Res<()> {
        if self.consent_done {
            return self.note("the consent screen was already answered; step skipped");
        }
        let consent = self.scenario.consent.clone();
        let start = Instant::now();
        loop {
            self.check_alive()?;
            if start.elapsed() >= consent.timeout {
                self.consent_done = true;
                if self.ui_ok == 0 {
                    let why = self.ui_last_error.clone().unwrap_or_default();
                    self.collector(
                        Source::Ui,
                        CollectorState::Failed,
                        Some(CollectorCause::Other),
                        &format!(
                            "the consent screen could not be looked for: no UI dump worked within {:?} ({why})",
                            consent.timeout
                        ),
                    )?;
                    return Ok(());
                }
                self.note(&format!(
                    "no consent screen appeared within {:?}",
                    consent.timeout
                ))?;
                return self.rec(HarnessRecord::ConsentMissing {
                    timeout_ms: consent.timeout.as_millis() as u64,
                });
            }
            let Some((t, _text, dump)) = self.ui()? else {
                self.sleep(self.opts.ui_poll);
                continue;
            };
            let d = detect::detect(&dump, &consent);
            if d.permission_dialog {
                self.permission_prompt(t, &d)?;
                if consent.mode != ConsentMode::Manual
                    && let Some(deny) = &d.permission_deny
                {
                    self.sh(
                        tap(deny.center[0], deny.center[1]),
                        "dismissing a permission dialog",
                    )?;
                    self.note(
                        "dismissed the permission dialog with its deny button (nothing is granted)",
                    )?;
                }
                self.sleep(self.opts.ui_poll);
                continue;
            }
            if !d.consent_screen {
                self.sleep(self.opts.ui_poll);
                continue;
            }
            if !self.consent_seen {
                self.consent_shown(t)?;
            }
            // Capture everything before the answer: app-ops keep only the last access per op,
            // so a post-consent access would overwrite the pre-consent one. The IPC trace is
            // stopped last and restarted in the tap's own shell call, right after the end marker.
            self.appops_snapshot("before-consent")?;
            self.screenshot("consent")?;
            self.ipc_dump("before-consent", false)?;
            self.consent_done = true;
            return match consent.mode {
                ConsentMode::Manual => self.manual(action, t, &consent, &d),
                _ => self.tap_consent(action, &d, &dump, &consent),
            };
        }
    }

    fn tap_consent(
        &mut self,
        action: ConsentAction,
        d: &Detection,
        before: &UiDump,
        consent: &prior_scenario::Consent,
    ) -> Res<()> {
        let target = match action {
            ConsentAction::Accept => d.accept.clone(),
            ConsentAction::Reject => d.reject.clone(),
        };
        let Some(target) = target else {
            let what = if action == ConsentAction::Accept {
                "accept"
            } else {
                "reject"
            };
            return Err(format!(
                "step failed: the consent screen has no {what} element matching the scenario; run `prior ui` on the saved dump"
            ));
        };
        if action == ConsentAction::Accept
            && let Some(tick) = &d.tick
        {
            self.sh(
                tap(tick.center[0], tick.center[1]),
                "ticking the consent checkbox",
            )?;
            self.note(&format!("ticked the consent checkbox {:?}", tick.text))?;
        }
        let word = if action == ConsentAction::Accept {
            "accept"
        } else {
            "reject"
        };
        let begin = format!("consent-{word}-begin {}", self.nonce);
        let end = format!("consent-{word}-end {}", self.nonce);
        let (x, y) = (target.center[0], target.center[1]);
        // One shell call: the markers bracket the tap on the device clock.
        let bracketed = Cmd::new("log")
            .raw("-t prior")
            .arg(&begin)
            .and_then(|c| {
                Ok(c.then(tap(x, y))
                    .then(Cmd::new("log").raw("-t prior").arg(&end)?))
            })
            .map_err(|e: DeviceError| e.to_string())?
            .then(Cmd::new("date").raw("+%s.%N"))
            .then(Cmd::new("am").raw("trace-ipc start"));
        let out = self.sh(bracketed, "tapping the consent element")?;
        // The IPC trace restarts right after the end marker, so its window starts after consent.
        self.ipc_from = out
            .stdout_text()
            .lines()
            .find_map(|l| prior_parse::clock::parse_date_output(l.trim()))
            .map(|(us, _)| us);
        if self.ipc_from.is_none() {
            self.note("the IPC trace could not be restarted after the tap; post-consent binder calls are not traced")?;
        }
        self.rec(HarnessRecord::ConsentTap {
            action,
            begin_marker: begin.clone(),
            end_marker: end.clone(),
            x,
            y,
        })?;
        self.progress
            .note(&format!("tapped {:?} at ({x}, {y})", target.text));
        if self
            .watch
            .wait_marker(&end, Duration::from_secs(10))
            .is_none()
        {
            self.note("the consent end marker has not reached the logcat stream yet")?;
        }
        self.check_tap_took(action, &target.text, before, consent)
    }

    /// Watches the screen for [`TAP_EFFECT_WINDOW`] after the consent tap: when every UI dump
    /// still shows the same consent screen (checkbox states aside), the app ignored the tap —
    /// typically an "I have read and agree" box left unticked — and the screen was not
    /// answered. Recorded as `consent_tap_ineffective`, so the report says so instead of
    /// placing a consent that was never given. A dump that fails ends the watch (nothing is
    /// claimed).
    fn check_tap_took(
        &mut self,
        action: ConsentAction,
        label: &str,
        before: &UiDump,
        consent: &prior_scenario::Consent,
    ) -> Res<()> {
        let start = Instant::now();
        let t = loop {
            let Some((t, _, dump)) = self.ui()? else {
                return Ok(());
            };
            if !detect::detect(&dump, consent).consent_screen || !same_screen(before, &dump) {
                return Ok(());
            }
            if start.elapsed() >= TAP_EFFECT_WINDOW {
                break t;
            }
            self.sleep(self.opts.ui_poll);
        };
        self.rec(HarnessRecord::ConsentTapIneffective {
            action,
            device_us: t,
            ui_file: self.last_ui_file(),
        })?;
        let msg = format!(
            "the consent screen is still up {:?} after tapping {label:?}: the app ignored the tap \
             (an unticked checkbox?), so the screen was not answered",
            TAP_EFFECT_WINDOW
        );
        self.progress.note(&msg);
        self.note(&msg)
    }

    fn manual(
        &mut self,
        action: ConsentAction,
        mut last_seen: i64,
        consent: &prior_scenario::Consent,
        d: &Detection,
    ) -> Res<()> {
        let verb = if action == ConsentAction::Accept {
            "ACCEPT"
        } else {
            "REJECT"
        };
        let limit = consent.timeout;
        self.progress.operator(&format!(
            "Please {verb} the consent screen on the device now; Prior is watching the screen \
             (for up to {}, consent.timeout).",
            fmt_duration(limit)
        ));
        for line in operator_taps(self.dev.serial(), d) {
            self.progress.operator(&line);
        }
        let start = Instant::now();
        loop {
            self.check_alive()?;
            if start.elapsed() > limit {
                let reason = format!(
                    "the operator did not answer the consent screen within {} (consent.timeout, \
                     manual mode)",
                    fmt_duration(limit)
                );
                self.progress.note(&reason);
                return Err(reason);
            }
            let Some((t, _, dump)) = self.ui()? else {
                self.sleep(self.opts.ui_poll);
                continue;
            };
            if detect::detect(&dump, consent).consent_screen {
                last_seen = t;
                self.sleep(self.opts.ui_poll);
                continue;
            }
            self.rec(HarnessRecord::ConsentObserved {
                action,
                from_us: last_seen,
                to_us: t,
            })?;
            self.progress.note("the consent screen went away");
            let (t2, _) = self.timed(
                Cmd::new("am").raw("trace-ipc start"),
                "restarting the IPC trace",
            )?;
            self.ipc_from = Some(t2);
            return Ok(());
        }
    }

    #[tracing::instrument(level = "info", skip_all)]
    fn end_captures(&mut self) {
        let mut errors = Vec::new();
        if let Err(e) = self.appops_snapshot("end") {
            errors.push(e);
        }
        if let Err(e) = self.ipc_dump("end", false) {
            errors.push(e);
        }
        if let Err(e) = self.screenshot("end") {
            errors.push(e);
        }
        for e in errors {
            let _ = self.rec(HarnessRecord::Note {
                text: format!("end capture: {e}"),
            });
        }
    }

    fn stop_stream(&mut self, flush: bool) {
        if flush && self.stream.as_ref().is_some_and(|s| !s.is_finished()) {
            let end = format!("end {}", self.nonce);
            if self.marker(&end).is_ok()
                && self
                    .watch
                    .wait_marker(&end, Duration::from_secs(10))
                    .is_none()
            {
                let _ = self.rec(HarnessRecord::Note {
                    text:
                        "the final marker never reached the logcat stream; its tail may be missing"
                            .into(),
                });
            }
        }
        if let Some(s) = self.stream.take() {
            let report = s.stop(Duration::from_secs(2));
            let _ = self.rec(HarnessRecord::Note {
                text: format!("logcat stream stopped: {report:?}"),
            });
        }
    }
}

/// How long Prior watches the screen after its consent tap for the app to react.
const TAP_EFFECT_WINDOW: Duration = Duration::from_secs(2);

/// Whether two dumps show the same screen: the same nodes (class, text, description, id,
/// package, bounds) in the same order; `checked` and focus may differ.
fn same_screen(a: &UiDump, b: &UiDump) -> bool {
    a.nodes.len() == b.nodes.len()
        && a.nodes.iter().zip(&b.nodes).all(|(x, y)| {
            x.class == y.class
                && x.text == y.text
                && x.content_desc == y.content_desc
                && x.resource_id == y.resource_id
                && x.package == y.package
                && x.bounds == y.bounds
        })
}

/// A word for a POSIX shell on the operator's host: as is when it is plain, else in single
/// quotes. (Serials are printable ASCII without spaces, `prior_device` checks that.)
fn host_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:-@%+=,/".contains(c));
    if plain {
        s.to_string()
    } else {
        format!(
            "'{}'",
            s.chars()
                .filter(|c| !c.is_control())
                .collect::<String>()
                .replace('\'', "'\\''")
        )
    }
}

/// How the operator can answer the consent screen from a shell (manual mode): the
/// `adb -s SERIAL shell input tap X Y` of the accept, reject and tick elements found in the UI
/// dump. A network serial (`HOST:PORT`, e.g. the simulated handset, which has no screen) is
/// `adb connect`ed first; `adb connect` to a connected device only says so.
fn operator_taps(serial: &str, d: &Detection) -> Vec<String> {
    let serial_word = host_word(serial);
    let tap_line = |what: &str, t: &detect::Target| {
        format!(
            "  {what}: adb -s {serial_word} shell input tap {} {}",
            t.center[0], t.center[1]
        )
    };
    let mut lines = Vec::new();
    if let Some(t) = &d.tick {
        lines.push(tap_line("tick the checkbox first", t));
    }
    if let Some(t) = &d.accept {
        lines.push(tap_line("accept", t));
    }
    if let Some(t) = &d.reject {
        lines.push(tap_line("reject", t));
    }
    if lines.is_empty() {
        return lines;
    }
    let mut out = vec!["Or answer from a shell on this computer:".to_string()];
    if serial.contains(':') && !serial.starts_with("emulator-") {
        out.push(format!("  adb connect {serial_word}"));
    }
    out.extend(lines);
    out
}

fn tap(x: i32, y: i32) -> Cmd {
    Cmd::new("input").raw("tap").int(x.into()).int(y.into())
}

fn describe(step: &Step) -> String {
    match step {
        Step::Launch => "launch".into(),
        Step::Relaunch => "relaunch".into(),
        Step::Wait(d) => format!("wait: {}", fmt_duration(*d)),
        Step::AcceptConsent => "accept_consent".into(),
        Step::RejectConsent => "reject_consent".into(),
        Step::Tap { target, .. } => format!("tap: {target}"),
        Step::Back => "back".into(),
        Step::Screenshot(n) => format!("screenshot: {n}"),
        Step::WaitFor {
            target: WaitTarget::Activity(a),
            ..
        } => format!("wait_for: activity {a}"),
        Step::WaitFor {
            target: WaitTarget::Element(s),
            ..
        } => format!("wait_for: {s}"),
    }
}

fn fmt_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

fn sanitize(label: &str) -> String {
    let s: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if s.is_empty() { "shot".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prior_device::AdbServer;
    use prior_model::bundle::Bundle;
    use prior_sim::device::{SimConfig, SimDevice};
    use prior_sim::server::{SimOptions, SimServer};
    use std::net::SocketAddr;

    #[test]
    fn labels_and_components() {
        assert_eq!(sanitize("consent screen/1"), "consent_screen_1");
    }

    #[test]
    fn the_operator_is_told_the_adb_taps_of_the_consent_buttons() {
        let target = |x, y| detect::Target {
            text: "x".into(),
            resource_id: String::new(),
            bounds: [0, 0, 0, 0],
            center: [x, y],
            node: 0,
        };
        let d = Detection {
            consent_screen: true,
            accept: Some(target(754, 1443)),
            reject: Some(target(326, 1443)),
            tick: None,
            permission_dialog: false,
            permission_text: None,
            permission_deny: None,
        };
        assert_eq!(
            operator_taps("127.0.0.1:5655", &d),
            [
                "Or answer from a shell on this computer:",
                "  adb connect 127.0.0.1:5655",
                "  accept: adb -s 127.0.0.1:5655 shell input tap 754 1443",
                "  reject: adb -s 127.0.0.1:5655 shell input tap 326 1443",
            ]
        );
        let taps = operator_taps("emulator-5554", &d);
        assert_eq!(
            taps[1],
            "  accept: adb -s emulator-5554 shell input tap 754 1443"
        );
        // A serial the shell would read differently is quoted.
        assert_eq!(
            operator_taps("a;b'c$(x)", &d)[1],
            "  accept: adb -s 'a;b'\\''c$(x)' shell input tap 754 1443"
        );
        let nothing = Detection {
            accept: None,
            reject: None,
            ..d
        };
        assert!(operator_taps("emulator-5554", &nothing).is_empty());
    }

    fn repo() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// A simulated handset with the demo models, and a device handle on its smart socket.
    fn handset() -> (Arc<SimDevice>, SimServer, Device) {
        handset_of("api33-userdebug")
    }

    /// [`handset`] playing the device profile `profile`.
    fn handset_of(profile: &str) -> (Arc<SimDevice>, SimServer, Device) {
        handset_rewriting(profile, &[])
    }

    /// A handler that plays a device quirk the simulator has no profile for: before the
    /// simulated handset runs a command line, each `(from, to)` text in it is replaced.
    struct Rewrite {
        inner: Arc<SimDevice>,
        rules: Vec<(String, String)>,
    }

    impl prior_sim::DeviceHandler for Rewrite {
        fn banner(&self) -> prior_sim::Banner {
            self.inner.banner()
        }
        fn shell(&self, command: &str, io: &mut dyn prior_sim::ShellIo) -> i32 {
            let mut c = command.to_string();
            for (from, to) in &self.rules {
                c = c.replace(from, to);
            }
            self.inner.shell(&c, io)
        }
        fn install(&self, args: &[String], apk: &[u8]) -> String {
            self.inner.install(args, apk)
        }
        fn abb_exec(&self, argv: &[String]) -> Vec<u8> {
            self.inner.abb_exec(argv)
        }
        fn stat(&self, path: &str) -> Option<prior_sim::FileStat> {
            self.inner.stat(path)
        }
        fn read_file(&self, path: &str) -> Result<Vec<u8>, prior_sim::FileError> {
            self.inner.read_file(path)
        }
        fn write_file(
            &self,
            path: &str,
            data: &[u8],
            mode: u32,
            mtime: i64,
        ) -> Result<(), prior_sim::FileError> {
            self.inner.write_file(path, data, mode, mtime)
        }
        fn list_dir(&self, path: &str) -> Vec<(String, prior_sim::FileStat)> {
            self.inner.list_dir(path)
        }
    }

    /// [`handset_of`] whose command lines are rewritten by `rules` (see [`Rewrite`]).
    fn handset_rewriting(
        profile: &str,
        rules: &[(&str, &str)],
    ) -> (Arc<SimDevice>, SimServer, Device) {
        let sim = SimDevice::new(SimConfig {
            model_dirs: vec![repo().join("scenarios/demo/models")],
            profile: prior_sim::device::DeviceProfile::parse(profile).unwrap(),
            ..SimConfig::default()
        })
        .unwrap();
        let handler: Arc<dyn prior_sim::DeviceHandler> = Arc::new(Rewrite {
            inner: Arc::clone(&sim),
            rules: rules
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        });
        let server = SimServer::start(
            handler,
            SimOptions {
                smart_socket: true,
                ..SimOptions::default()
            },
        )
        .unwrap();
        let Some(SocketAddr::V4(smart)) = server.smart_socket_addr() else {
            panic!("no smart socket")
        };
        let dev = AdbServer::new(smart).device(server.serial()).unwrap();
        (sim, server, dev)
    }

    /// Leaky Shop launched and watched for a second (its SDK contacts two hosts by 260 ms).
    fn scenario() -> Scenario {
        scenario_with_steps("  - launch\n  - wait: 1s\n")
    }

    fn scenario_with_steps(steps: &str) -> Scenario {
        let text = format!(
            "name: capture test\napp: {{ apk: apps/leaky-shop.apk }}\ndevice: {{ simulated: {{ models: models }} }}\n\
             consent: {{ mode: auto, timeout: 5s }}\nsteps:\n{steps}"
        );
        Scenario::parse(
            &repo().join("scenarios/demo/capture-test.yaml"),
            &text,
            &prior_scenario::Vars::new(),
            prior_scenario::LoadOptions::default(),
        )
        .unwrap()
    }

    fn app() -> AppUnderTest {
        AppUnderTest {
            package: "com.prior.demo.leakyshop".into(),
            component: Some("com.prior.demo.leakyshop/.ui.SplashActivity".into()),
            apk: Some(repo().join("scenarios/demo/apps/leaky-shop.apk")),
            ..AppUnderTest::default()
        }
    }

    /// A capture hook on the simulated handset that logs its calls and what the bundle held
    /// when it was started.
    struct TestCapture {
        sim: Arc<SimDevice>,
        calls: Arc<Mutex<Vec<String>>>,
        fail_start: bool,
        cancel_on_start: Option<Arc<Stop>>,
    }

    impl NetCapture for TestCapture {
        fn start(&mut self, dest: &Path) -> Result<(), CaptureError> {
            let root = dest.parent().and_then(Path::parent).unwrap();
            let harness = std::fs::read_to_string(root.join("harness.jsonl")).unwrap();
            self.calls.lock().unwrap().push(format!(
                "start {} armed={} launched={}",
                dest.strip_prefix(root).unwrap().display(),
                harness.contains("\"message\":\"armed "),
                harness.contains("\"type\":\"launch\"")
            ));
            if let Some(c) = &self.cancel_on_start {
                c.request("stopped by a test");
            }
            if self.fail_start {
                return Err(CaptureError::device(
                    "reach the emulator console",
                    "connection refused",
                ));
            }
            self.sim
                .start_capture(dest)
                .map_err(|e| CaptureError::device("start the capture", e))
        }
        fn stop(&mut self) -> Result<(), CaptureError> {
            self.calls.lock().unwrap().push("stop".into());
            self.sim
                .stop_capture()
                .map(|_| ())
                .map_err(|e| CaptureError::device("stop the capture", e))
        }
        fn describe(&self) -> String {
            "test capture".into()
        }
    }

    fn record_with(
        fail_start: bool,
        cancel: bool,
    ) -> (Recording, Bundle, Vec<String>, Vec<String>) {
        let (sim, _server, dev) = handset();
        let dir = tempfile::tempdir().unwrap().keep();
        let mut opts = RecordOptions::new(dir.join("bundle"), "0.0.0-test");
        opts.simulated = true;
        let calls = Arc::new(Mutex::new(Vec::new()));
        opts.net_capture = Some(Arc::new(Mutex::new(TestCapture {
            sim: Arc::clone(&sim),
            calls: Arc::clone(&calls),
            fail_start,
            cancel_on_start: cancel.then(|| Arc::clone(&opts.stop)),
        })));
        let rec = record(&scenario(), &app(), &dev, &opts, &Silent).unwrap();
        let bundle = Bundle::open(&rec.bundle_dir).unwrap();
        let notes = bundle
            .harness
            .iter()
            .filter_map(|e| match &e.record {
                HarnessRecord::Note { text } => Some(text.clone()),
                _ => None,
            })
            .collect();
        let calls = calls.lock().unwrap().clone();
        (rec, bundle, notes, calls)
    }

    #[test]
    fn the_network_capture_runs_from_arming_to_the_seal() {
        let (rec, bundle, notes, calls) = record_with(false, false);
        assert_eq!(
            calls,
            ["start raw/net.pcap armed=true launched=false", "stop"]
        );
        assert!(bundle.integrity.is_intact(), "{:?}", bundle.integrity);
        let manifest = std::fs::read_to_string(bundle.path("MANIFEST.sha256")).unwrap();
        assert!(manifest.contains("  raw/net.pcap\n"), "{manifest}");
        let size = std::fs::metadata(bundle.path(NET_CAPTURE_FILE))
            .unwrap()
            .len();
        assert!(size > 24, "both contacts are in the capture: {size} bytes");
        assert!(
            notes.contains(&"network capture started into raw/net.pcap: test capture".into()),
            "{notes:?}"
        );
        assert!(
            notes.contains(&format!(
                "network capture stopped: raw/net.pcap has {size} bytes (test capture)"
            )),
            "{notes:?}"
        );
        // The stop comes after the logcat stream stopped and before the end record.
        let pos = |needle: &str| {
            bundle
                .harness
                .iter()
                .position(|e| serde_json::to_string(&e.record).unwrap().contains(needle))
                .unwrap()
        };
        assert!(pos("logcat stream stopped") < pos("network capture stopped"));
        assert_eq!(pos("\"type\":\"end\""), bundle.harness.len() - 1);
        assert_eq!(rec.state, RecordingState::Complete, "{:?}", rec.reason);
    }

    /// An interception hook that writes its own lines (a stand-in for mitmdump) and says
    /// HTTPS is not decrypted, as an emulator without a system CA does.
    struct TestIntercept {
        calls: Arc<Mutex<Vec<String>>>,
        dest: Option<PathBuf>,
    }

    impl HttpIntercept for TestIntercept {
        fn start(&mut self, dest: &Path) -> Result<InterceptStarted, CaptureError> {
            let root = dest.parent().and_then(Path::parent).unwrap();
            let harness = std::fs::read_to_string(root.join("harness.jsonl")).unwrap();
            self.calls.lock().unwrap().push(format!(
                "start {} capture_started={} launched={}",
                dest.strip_prefix(root).unwrap().display(),
                harness.contains("network capture started"),
                harness.contains("\"type\":\"launch\"")
            ));
            std::fs::write(dest, "{\"type\":\"proxy\",\"event\":\"started\"}\n").unwrap();
            self.dest = Some(dest.to_path_buf());
            Ok(InterceptStarted {
                notes: vec!["proxy on 127.0.0.1:1".into()],
                partial: Some("HTTPS not decrypted: no system CA (test)".into()),
            })
        }
        fn stop(&mut self) -> Result<String, CaptureError> {
            self.calls.lock().unwrap().push("stop".into());
            let d = self.dest.as_ref().unwrap();
            let mut t = std::fs::read_to_string(d).unwrap();
            t.push_str("{\"type\":\"proxy\",\"event\":\"stopped\"}\n");
            std::fs::write(d, t).unwrap();
            Ok("test proxy stopped".into())
        }
        fn describe(&self) -> String {
            "test proxy".into()
        }
    }

    #[test]
    fn interception_runs_after_the_capture_until_before_the_seal_and_says_what_it_cannot_see() {
        let (sim, _server, dev) = handset();
        let dir = tempfile::tempdir().unwrap().keep();
        let mut opts = RecordOptions::new(dir.join("bundle"), "0.0.0-test");
        opts.simulated = true;
        let calls = Arc::new(Mutex::new(Vec::new()));
        opts.net_capture = Some(Arc::new(Mutex::new(TestCapture {
            sim: Arc::clone(&sim),
            calls: Arc::new(Mutex::new(Vec::new())),
            fail_start: false,
            cancel_on_start: None,
        })));
        opts.http_intercept = Some(Arc::new(Mutex::new(TestIntercept {
            calls: Arc::clone(&calls),
            dest: None,
        })));
        let rec = record(&scenario(), &app(), &dev, &opts, &Silent).unwrap();
        let bundle = Bundle::open(&rec.bundle_dir).unwrap();
        assert_eq!(
            *calls.lock().unwrap(),
            [
                "start raw/http.jsonl capture_started=true launched=false",
                "stop"
            ]
        );
        assert!(bundle.integrity.is_intact(), "{:?}", bundle.integrity);
        let manifest = std::fs::read_to_string(bundle.path("MANIFEST.sha256")).unwrap();
        assert!(manifest.contains("  raw/http.jsonl\n"), "{manifest}");
        let http = std::fs::read_to_string(bundle.path(HTTP_FILE)).unwrap();
        assert!(http.ends_with("\"stopped\"}\n"), "{http}");
        assert!(collectors(&bundle).contains(&(
            Source::Http,
            CollectorState::Partial,
            "HTTPS not decrypted: no system CA (test)".into()
        )));
        let pos = |needle: &str| {
            bundle
                .harness
                .iter()
                .position(|e| serde_json::to_string(&e.record).unwrap().contains(needle))
                .unwrap()
        };
        assert!(
            pos("interception started into raw/http.jsonl: test proxy")
                < pos("\"type\":\"launch\"")
        );
        assert!(pos("proxy on 127.0.0.1:1") < pos("\"type\":\"launch\""));
        assert!(pos("network capture stopped") < pos("interception stopped: test proxy stopped"));
        assert_eq!(pos("\"type\":\"end\""), bundle.harness.len() - 1);
    }

    #[test]
    fn a_capture_that_cannot_start_is_noted_and_the_run_goes_on() {
        let (rec, bundle, notes, calls) = record_with(true, false);
        assert_eq!(calls, ["start raw/net.pcap armed=true launched=false"]);
        assert!(
            notes.iter().any(|n| n
                == "network capture (test capture) did not start: failed to reach the emulator console: \
                    connection refused; tracker contacts cannot be checked"),
            "{notes:?}"
        );
        assert!(!bundle.path(NET_CAPTURE_FILE).exists());
        assert!(bundle.integrity.is_intact());
        assert_eq!(rec.state, RecordingState::Complete, "{:?}", rec.reason);
        assert!(
            bundle
                .harness
                .iter()
                .any(|e| matches!(e.record, HarnessRecord::Launch { .. })),
            "the scenario still ran"
        );
    }

    #[test]
    fn an_interrupted_run_still_stops_the_capture_before_sealing() {
        let (rec, bundle, notes, calls) = record_with(false, true);
        assert_eq!(
            calls,
            ["start raw/net.pcap armed=true launched=false", "stop"]
        );
        assert_eq!(rec.state, RecordingState::Incomplete);
        assert_eq!(rec.reason.as_deref(), Some("stopped by a test"));
        assert_eq!(bundle.incomplete, ["stopped by a test"]);
        assert!(
            notes.contains(
                &"ending the session as incomplete (stopped by a test); taking the end captures and sealing the bundle".into()
            ),
            "{notes:?}"
        );
        assert!(bundle.integrity.is_intact(), "{:?}", bundle.integrity);
        let manifest = std::fs::read_to_string(bundle.path("MANIFEST.sha256")).unwrap();
        assert!(manifest.contains("  raw/net.pcap\n"), "{manifest}");
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("network capture stopped: raw/net.pcap has ")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_stop_requested_before_the_install_ends_the_session_before_launch() {
        let (_sim, _server, dev) = handset();
        let dir = tempfile::tempdir().unwrap().keep();
        let mut opts = RecordOptions::new(dir.join("bundle"), "0.0.0-test");
        opts.simulated = true;
        assert!(opts.stop.request("stopped by SIGTERM"));
        let rec = record(&scenario(), &app(), &dev, &opts, &Silent).unwrap();
        assert_eq!(rec.state, RecordingState::Incomplete);
        assert_eq!(rec.reason.as_deref(), Some("stopped by SIGTERM"));
        let bundle = Bundle::open(&rec.bundle_dir).unwrap();
        assert!(bundle.integrity.is_intact());
        assert_eq!(
            bundle.meta.status.reason.as_deref(),
            Some("stopped by SIGTERM")
        );
        assert!(
            !bundle.harness.iter().any(|e| matches!(
                e.record,
                HarnessRecord::Launch { .. } | HarnessRecord::Step { .. }
            )),
            "nothing ran"
        );
    }

    fn record_plain(profile: &str, sc: &Scenario) -> (Recording, Bundle) {
        record_rewriting(profile, &[], sc)
    }

    fn record_rewriting(
        profile: &str,
        rules: &[(&str, &str)],
        sc: &Scenario,
    ) -> (Recording, Bundle) {
        let (_sim, _server, dev) = handset_rewriting(profile, rules);
        let dir = tempfile::tempdir().unwrap().keep();
        let mut opts = RecordOptions::new(dir.join("bundle"), "0.0.0-test");
        opts.simulated = true;
        let rec = record(sc, &app(), &dev, &opts, &Silent).unwrap();
        let bundle = Bundle::open(&rec.bundle_dir).unwrap();
        (rec, bundle)
    }

    /// The collector records of the recording collectors (the honey step's own records, one
    /// per value it could not obtain, are tested in `honey.rs` and `tests/it/honey.rs`).
    fn collectors(bundle: &Bundle) -> Vec<(Source, CollectorState, String)> {
        bundle
            .harness
            .iter()
            .filter_map(|e| match &e.record {
                HarnessRecord::Collector {
                    source,
                    state,
                    reason,
                    ..
                } if *source != Source::Honey => Some((*source, *state, reason.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn wait_for_a_fully_qualified_activity_matches_the_short_form_dumpsys_prints() {
        let sc = scenario_with_steps(
            "  - launch\n  - wait_for: { activity: com.prior.demo.leakyshop.ui.SplashActivity, timeout: 3s }\n",
        );
        let (rec, _) = record_plain("api33-userdebug", &sc);
        assert_eq!(rec.state, RecordingState::Complete, "{:?}", rec.reason);
    }

    #[test]
    fn android_7_records_the_plain_app_ops_dump_and_the_device_facts() {
        let (rec, bundle) = record_plain("api24-userdebug", &scenario());
        assert_eq!(rec.state, RecordingState::Complete, "{:?}", rec.reason);
        let meta = bundle.meta.clone();
        assert_eq!(meta.device.api_level, Some(24));
        assert_eq!(meta.device.build_type.as_deref(), Some("userdebug"));
        assert_eq!(meta.device.debuggable, Some(true));
        assert_eq!(meta.app.debuggable, Some(false));
        assert!(bundle.path("raw/device/dumpsys-package.txt").exists());
        // A debuggable build traces every process: nothing is unavailable.
        assert_eq!(collectors(&bundle), []);
        let snaps: Vec<String> = bundle
            .harness
            .iter()
            .filter_map(|e| match &e.record {
                HarnessRecord::AppopsSnapshot { file, .. } => Some(file.clone()),
                _ => None,
            })
            .collect();
        assert!(snaps.len() >= 2, "{snaps:?}");
        for f in snaps {
            let text = std::fs::read_to_string(bundle.path(&f)).unwrap();
            assert!(
                text.starts_with("Current AppOps Service state:"),
                "{f}: {text:.100}"
            );
        }
    }

    #[test]
    fn a_user_build_with_a_release_app_marks_ipc_unavailable_and_still_dumps() {
        let (rec, bundle) = record_plain("api33-user", &scenario());
        assert_eq!(rec.state, RecordingState::Complete, "{:?}", rec.reason);
        assert_eq!(
            collectors(&bundle),
            [(
                Source::Ipc,
                CollectorState::Unavailable,
                "user build (ro.debuggable=0) and the app is not debuggable: am trace-ipc traces \
                 only debuggable processes"
                    .to_string()
            )]
        );
        assert!(
            bundle
                .harness
                .iter()
                .any(|e| matches!(e.record, HarnessRecord::IpcDump { .. })),
            "the trace is still dumped"
        );
    }

    fn notes(bundle: &Bundle) -> Vec<String> {
        bundle
            .harness
            .iter()
            .filter_map(|e| match &e.record {
                HarnessRecord::Note { text } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    fn snapshot_files(bundle: &Bundle) -> Vec<String> {
        bundle
            .harness
            .iter()
            .filter_map(|e| match &e.record {
                HarnessRecord::AppopsSnapshot { file, .. } => Some(file.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_device_that_refuses_the_package_option_gets_the_plain_dump() {
        // An API 28 handset that answers `--package` as API 24–27 do (device-behaviour.md (b):
        // API 28 itself is UNVERIFIED).
        let (rec, bundle) = record_rewriting(
            "api28-userdebug",
            &[(
                "dumpsys appops --package",
                "echo Unknown option: --package; true",
            )],
            &scenario(),
        );
        assert_eq!(rec.state, RecordingState::Complete, "{:?}", rec.reason);
        let notes = notes(&bundle);
        let refused: Vec<&String> = notes
            .iter()
            .filter(|n| n.contains("refused --package"))
            .collect();
        assert_eq!(refused.len(), 1, "noted once: {notes:?}");
        assert_eq!(collectors(&bundle), []);
        let snaps = snapshot_files(&bundle);
        assert!(snaps.len() >= 2, "{snaps:?}");
        for f in snaps {
            let text = std::fs::read_to_string(bundle.path(&f)).unwrap();
            assert!(
                text.starts_with("Current AppOps Service state:"),
                "{f}: {text:.80}"
            );
        }
    }

    #[test]
    fn an_app_ops_error_reply_is_a_failed_collector_never_an_empty_snapshot() {
        let (rec, bundle) = record_rewriting(
            "api33-userdebug",
            &[("dumpsys appops", "echo Error: appops unavailable; true")],
            &scenario(),
        );
        assert_eq!(rec.state, RecordingState::Complete, "{:?}", rec.reason);
        assert_eq!(snapshot_files(&bundle), Vec::<String>::new());
        assert_eq!(
            collectors(&bundle),
            [(
                Source::Appops,
                CollectorState::Failed,
                "the app-ops snapshots failed: the device answered `Error: appops unavailable`"
                    .to_string()
            )]
        );
        let kept =
            std::fs::read_to_string(bundle.path("raw/appops/001-baseline-error.txt")).unwrap();
        assert_eq!(kept, "Error: appops unavailable\n");
    }
}
