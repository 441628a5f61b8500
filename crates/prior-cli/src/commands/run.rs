//! `prior run SCENARIO…`: record a session on a device, analyse it, print the verdict.
//!
//! Per scenario: load and validate it; read the APK; pick the device (`--device`, the
//! scenario's `device:`, or the only one attached; `device: simulated` starts Prior's
//! simulated handset in-process and drives it through its built-in adb smart socket, so no
//! `adb` is needed); record the bundle under `--out`; analyse it; judge the scenario's
//! `expect:`; print the summary. The exit code is the worst over all scenarios.

use super::analyze::{self, Format};
use crate::{CliError, CliResult};
use indicatif::{ProgressBar, ProgressStyle};
use prior_device::{AdbServer, Device};
use prior_record::record::{AppUnderTest, Progress, RecordOptions, record};
use prior_record::stop::Stop;
use prior_scenario::{DeviceSpec, ProfileRef, Scenario, Vars};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Arguments of `prior run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files to run, in order.
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Run on this device (adb serial, `simulated`, or `avd:NAME` to boot that AVD), whatever
    /// the scenario says.
    #[arg(long, value_name = "SERIAL")]
    device: Option<String>,
    /// Leave an emulator that Prior booted for `device: { avd: NAME }` running afterwards, so
    /// the next `prior run` reuses it (reset to its clean snapshot instead of a cold boot).
    /// Later scenarios of the same run always reuse it; without this flag it is stopped after
    /// the last one.
    #[arg(long)]
    keep_emulator: bool,
    /// Where session bundles are written (one directory per run).
    #[arg(long, default_value = "prior-runs", value_name = "DIR")]
    out: PathBuf,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Language of the text summary and of `--report text,html` (machine formats stay English).
    #[arg(long, value_enum, default_value = "en")]
    lang: analyze::ReportLang,
    /// Rule profile for the analysis, overriding the scenario's.
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// Set a `${KEY}` variable used in the scenario (repeatable).
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    vars: Vec<String>,
    /// Also write these reports per run (comma-separated: html,junit,sarif,json,text).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "FORMATS")]
    report: Vec<super::report::ReportFormat>,
    /// Directory for `--report` files (default: each bundle's directory, as `report.<ext>`).
    #[arg(long, value_name = "DIR")]
    out_report: Option<PathBuf>,
    /// Compare with a baseline (`prior baseline save`); exit 1 only on new findings.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
}

/// Terminal progress: a spinner on a TTY, plain lines otherwise.
pub(crate) struct Ui {
    bar: Option<ProgressBar>,
}

impl Ui {
    pub(crate) fn new(label: &str) -> Ui {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {prefix} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(crate::term::safe(label).into_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            Ui { bar: Some(bar) }
        } else {
            note!("{label}");
            Ui { bar: None }
        }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(b) => b.println(crate::term::safe(text)),
            None => note!("{text}"),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Progress for Ui {
    fn step(&self, index: usize, total: usize, text: &str) {
        match &self.bar {
            Some(b) => {
                b.set_message(crate::term::safe(&format!("[{index}/{total}] {text}")).into_owned())
            }
            None => note!("  [{index}/{total}] {text}"),
        }
    }

    fn note(&self, text: &str) {
        self.line(&format!("  · {text}"));
    }

    fn operator(&self, text: &str) {
        self.line(&format!("  >>> {text}"));
    }
}

/// A device to run on, and the simulated handset keeping it alive when there is one.
pub(crate) struct Target {
    pub(crate) device: Device,
    pub(crate) simulated: bool,
    /// The emulator, for `device: { avd: NAME }`.
    pub(crate) avd: Option<super::avd::AvdRun>,
    pub(crate) _sim: Option<(
        Arc<prior_sim::device::SimDevice>,
        prior_sim::server::SimServer,
    )>,
}

fn device_err(e: impl std::fmt::Display) -> CliError {
    CliError::device_msg(format!("failed to {e}"))
}

/// The directories of app behaviour models an in-process simulated handset loads: the
/// scenario's `device: { simulated: { models: DIR } }`, else `models/` beside the scenario.
fn model_dirs(scenario: &Scenario, opts: &prior_scenario::SimulatedOptions) -> Vec<PathBuf> {
    let scenario_dir = scenario.path.parent().unwrap_or(Path::new("."));
    match &opts.models {
        Some(dir) => vec![dir.clone()],
        None => {
            let default = scenario_dir.join("models");
            if default.is_dir() {
                vec![default]
            } else {
                Vec::new()
            }
        }
    }
}

/// The simulated handset has no behaviour model for the app: it would install it and run an
/// app that does nothing, and a clean result (or a "no consent screen" finding) would mean
/// nothing. Refused before anything is recorded (docs/sim-models.md, "No model, no run").
fn no_model_error(
    scenario: &Scenario,
    opts: &prior_scenario::SimulatedOptions,
    package: &str,
) -> CliError {
    let dirs = model_dirs(scenario, opts);
    let looked = if dirs.is_empty() {
        "no model directory was given and there is no `models/` beside the scenario".to_string()
    } else {
        format!(
            "none of the models in {} is for it",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    CliError::input_msg(format!(
        "{}: the SIMULATED handset has no behaviour model for {package} ({looked}); it would run \
         an app that does nothing, so Prior refuses to run it rather than report a result that \
         means nothing. Give the handset a model: a `.model` file for {package} in \
         `device: {{ simulated: {{ models: DIR }} }}` (default: `models/` beside the scenario; \
         docs/sim-models.md), or run on an emulator or a device (`--device SERIAL`, \
         `--device avd:NAME`)",
        scenario.path.display()
    ))
}

/// Starts the simulated handset in-process and returns a device handle on its smart socket.
pub(crate) fn simulated(
    scenario: &Scenario,
    opts: &prior_scenario::SimulatedOptions,
) -> Result<Target, CliError> {
    let models = model_dirs(scenario, opts);
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let (sim, server) = super::sim::start(
        loopback,
        Some(loopback),
        &models,
        opts.seed.unwrap_or(1),
        "Asia/Shanghai",
        prior_sim::adbd::AuthPolicy::Skip,
    )?;
    let Some(SocketAddr::V4(smart)) = server.smart_socket_addr() else {
        return Err(CliError::device_msg(
            "failed to start the simulated handset's adb socket",
        ));
    };
    let device = AdbServer::new(smart)
        .device(server.serial())
        .map_err(device_err)?;
    Ok(Target {
        device,
        simulated: true,
        avd: None,
        _sim: Some((sim, server)),
    })
}

/// Boots or reuses the AVD `name`; its capture goes to a file beside the bundle `dir`.
fn avd_target(name: &str, dir: &Path) -> Result<Target, CliError> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(parent).map_err(CliError::io)?;
    // The emulator resolves the capture path itself, from its own working directory.
    let parent = fs_err::canonicalize(parent).map_err(CliError::io)?;
    let parent = parent.as_path();
    let file_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    let capture = parent.join(format!(".{file_name}.net.pcap"));
    note!("emulator: AVD {name}");
    let run = super::avd::prepare(name, capture, &mut |l| note!("  {l}"))?;
    Ok(Target {
        device: run.device.clone(),
        simulated: false,
        avd: Some(run),
        _sim: None,
    })
}

pub(crate) fn pick_device(
    scenario: &Scenario,
    flag: Option<&str>,
    dir: &Path,
) -> Result<Target, CliError> {
    if let Some(name) = flag.and_then(|f| f.strip_prefix("avd:")) {
        prior_emulator::create::validate_avd_name(name)
            .map_err(|e| CliError::input_msg(format!("--device avd:{name}: failed to {e}")))?;
        return avd_target(name, dir);
    }
    match (flag, &scenario.device) {
        (Some("simulated"), _) => simulated(scenario, &prior_scenario::SimulatedOptions::default()),
        (None, DeviceSpec::Simulated(o)) => simulated(scenario, o),
        (None, DeviceSpec::Avd(name)) => avd_target(name, dir),
        (flag, spec) => {
            let server = AdbServer::from_env().map_err(device_err)?;
            server.ensure_running().map_err(device_err)?;
            let serial = flag.map(str::to_string).or(match spec {
                DeviceSpec::Serial(s) => Some(s.clone()),
                _ => None,
            });
            let device = match serial {
                Some(s) => {
                    // A network device left `offline` (its adbd restarted on the same port) is
                    // reconnected once before Prior gives up on it.
                    if let Some(note) = server
                        .reconnect_if_offline(&s, Duration::from_secs(10))
                        .map_err(device_err)?
                    {
                        note!("device: {note}");
                    }
                    server.device(&s).map_err(device_err)?
                }
                None => server.only_device().map_err(device_err)?,
            };
            Ok(Target {
                device,
                simulated: false,
                avd: None,
                _sim: None,
            })
        }
    }
}

pub(crate) fn app_under_test(scenario: &Scenario) -> Result<AppUnderTest, CliError> {
    let app = &scenario.app;
    let mut out = AppUnderTest::default();
    if let Some(apk) = &app.apk {
        let info = prior_apk::ApkFacts::read(apk)
            .map_err(|e| CliError::input_msg(format!("{}: failed to {e}", apk.display())))?;
        if let Some(p) = &app.package
            && p != &info.package
        {
            return Err(CliError::input_msg(format!(
                "{}: app.package is {p:?} but {} declares {:?}",
                scenario.path.display(),
                apk.display(),
                info.package
            )));
        }
        out.package = info.package.clone();
        out.component = info
            .launcher_activity
            .as_ref()
            .map(|a| component_of(&info.package, a));
        out.apk = Some(apk.clone());
        out.apk_sha256 = Some(info.sha256.clone());
        out.version_name = info.version_name.clone();
        out.version_code = info.version_code.clone();
        out.debuggable = info.debuggable;
    } else if let Some(p) = &app.package {
        out.package = p.clone();
    } else {
        return Err(CliError::input_msg(format!(
            "{}: the scenario names no app (app.apk or app.package)",
            scenario.path.display()
        )));
    }
    if let Some(a) = &app.activity {
        out.component = Some(component_of(&out.package, a));
    }
    Ok(out)
}

/// The `am start -n` component of a scenario's `activity`: `pkg/.Main` and `pkg/com.x.Main` as
/// written; otherwise the name resolves against the package as the manifest's names do
/// (`.Main`, `Main` → `pkg/pkg.Main`; `com.x.Main` unchanged; AOSP `ParsingUtils.buildClassName`).
fn component_of(package: &str, activity: &str) -> String {
    if activity.contains('/') {
        activity.to_string()
    } else {
        format!(
            "{package}/{}",
            prior_apk::resolve_class_name(package, activity)
        )
    }
}

/// Creates the new bundle directory for `scenario` under `out`: a name with microseconds,
/// created exclusively so concurrent runs never share it (`prior_record::bundle_dir`).
pub(crate) fn bundle_dir(out: &Path, scenario: &Scenario) -> Result<PathBuf, CliError> {
    let stem = scenario
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    prior_record::bundle_dir::create_bundle_dir(out, &stem, prior_device::host_now_us())
        .map_err(|e| CliError::input_msg(format!("failed to create the bundle directory: {e}")))
}

/// The profile a scenario is analysed with: `flag` (`--profile`, a campaign's `profile:`),
/// else the scenario's own.
pub(crate) fn profile_of(scenario: &Scenario, flag: Option<&str>) -> Option<String> {
    flag.map(str::to_string).or(match &scenario.profile {
        Some(ProfileRef::Builtin(n)) => Some(n.clone()),
        Some(ProfileRef::File(p)) => Some(p.display().to_string()),
        None => None,
    })
}

/// Records `scenario` for `app` on `target` into the new, empty bundle directory `dir`: the one
/// recording step of `prior run` and `prior campaign run`.
pub(crate) fn record_session(
    scenario: &Scenario,
    app: &AppUnderTest,
    target: &mut Target,
    dir: PathBuf,
    profile_used: prior_model::bundle::ProfileRecord,
    stop: &Arc<Stop>,
    progress: &dyn Progress,
) -> Result<prior_record::record::Recording, CliError> {
    let mut opts = RecordOptions::new(dir, env!("CARGO_PKG_VERSION"));
    opts.simulated = target.simulated;
    opts.stop = Arc::clone(stop);
    opts.profile_used = Some(profile_used);
    attach_net_capture(target, &mut opts);
    record(scenario, app, &target.device, &opts, progress)
        .map_err(|e| CliError::device_msg(format!("failed to {e}")))
}

/// Analyses a recorded bundle and keeps `report.json` beside it: the analysis step of
/// `prior run` and `prior campaign run`.
pub(crate) fn analyse_recorded(
    bundle_dir: &Path,
    profile: Option<&str>,
) -> Result<prior_analyze::Report, CliError> {
    let inputs = analyze::InputArgs {
        profile,
        judge_expect_on: Some(prior_scenario::Date::today_utc()),
        ..analyze::InputArgs::default()
    };
    let report = analyze::analyze_bundle_with(bundle_dir, &inputs, false)?;
    // The report is derived data: kept beside the evidence, outside the manifest.
    let _ = fs_err::write(
        bundle_dir.join("report.json"),
        prior_report::render_json(&report),
    );
    Ok(report)
}

fn run_one(
    scenario_path: &Path,
    args: &Args,
    vars: &Vars,
    stop: &Arc<Stop>,
    booted: &mut super::avd::Booted,
) -> Result<super::report::Analysed, CliError> {
    let scenario =
        Scenario::load(scenario_path, vars).map_err(|e| CliError::input(miette::Report::new(e)))?;
    let app = app_under_test(&scenario)?;
    // The profile is read before recording (a bad file fails early) and sealed by content.
    let profile = profile_of(&scenario, args.profile.as_deref());
    let profile_used = analyze::profile_record(profile.as_deref())?;
    let dir = bundle_dir(&args.out, &scenario)?;
    // No device (or no model for the app on the simulated handset), no recording: the
    // directory just created (still empty) goes again.
    let remove_dir = |_: &CliError| {
        let _ = std::fs::remove_dir(&dir);
    };
    let mut target =
        pick_device(&scenario, args.device.as_deref(), &dir).inspect_err(remove_dir)?;
    if let Some((sim, _)) = &target._sim
        && !sim.has_model(&app.package)
    {
        let opts = match (&args.device, &scenario.device) {
            (None, DeviceSpec::Simulated(o)) => o.clone(),
            _ => prior_scenario::SimulatedOptions::default(),
        };
        let e = no_model_error(&scenario, &opts, &app.package);
        remove_dir(&e);
        return Err(e);
    }
    let label = format!(
        "{} — {} on {}{}",
        scenario.name,
        app.package,
        target.device.serial(),
        if target.simulated {
            " (SIMULATED handset)"
        } else {
            ""
        }
    );
    let ui = Ui::new(&label);
    let recording = record_session(&scenario, &app, &mut target, dir, profile_used, stop, &ui);
    ui.finish();
    if let Some(avd) = target.avd.take()
        && let Some(note) = booted.after_run(avd)
    {
        note!("emulator: {note}");
    }
    let recording = recording?;
    note!(
        "recorded {} (Prior's own time {:.2} s, excluding the scenario's waits)",
        if recording.reason.is_some() {
            "an incomplete session"
        } else {
            "the session"
        },
        recording.overhead.as_secs_f64()
    );
    drop(target);
    let report = analyse_recorded(&recording.bundle_dir, profile.as_deref())?;
    super::run_output::after_one(&recording.bundle_dir, report, &output_options(args))
}

fn output_options(args: &Args) -> super::run_output::Options<'_> {
    super::run_output::Options {
        format: args.format,
        reports: &args.report,
        out_report: args.out_report.as_deref(),
        out: &args.out,
        baseline: args.baseline.as_deref(),
        several: args.scenarios.len() > 1,
        lang: args.lang,
    }
}

/// Runs `prior run`.
pub fn run(args: Args) -> CliResult {
    let vars = Vars::from_pairs(&args.vars).map_err(CliError::input_msg)?;
    // First SIGINT/SIGTERM/SIGHUP: stop recording and seal an incomplete bundle whose reason
    // names the signal. Second: exit at once with 128 + N (crate::signals).
    let stop = Arc::new(Stop::new());
    crate::signals::stop_on_signals(Arc::clone(&stop));
    let mut finished = Vec::new();
    let mut booted = super::avd::Booted::default();
    for (i, path) in args.scenarios.iter().enumerate() {
        if let Some(why) = stop.reason() {
            note!(
                "{why}: the remaining {} scenario(s) were not run",
                args.scenarios.len() - i
            );
            break;
        }
        let result = run_one(path, &args, &vars, &stop, &mut booted);
        if let Err(e) = &result {
            if args.scenarios.len() == 1 {
                for note in booted.finish(args.keep_emulator) {
                    note!("emulator: {note}");
                }
                return result.map(|a| a.outcome());
            }
            crate::term::err(&format!("{}: ", path.display()));
            crate::term::err_diagnostic(&*e.report);
        }
        finished.push(super::run_output::Finished {
            scenario: path.clone(),
            result,
        });
    }
    for note in booted.finish(args.keep_emulator) {
        note!("emulator: {note}");
    }
    super::run_output::after_all(&finished, &output_options(&args))
}

/// Gives the recording the device's network capture: the simulated handset's pcap, or the
/// emulator's (`-tcpdump` since boot or the console's capture); and the console the honey
/// step sets the GPS fix through (the emulator's, or the simulated handset's modelled one).
pub(crate) fn attach_net_capture(
    target: &mut Target,
    opts: &mut prior_record::record::RecordOptions,
) {
    if let Some((sim, _)) = &target._sim {
        let hook = super::sim::SimNetCapture::new(Arc::clone(sim));
        opts.net_capture = Some(Arc::new(std::sync::Mutex::new(hook)));
        let geo = super::sim::SimGeoConsole::new(Arc::clone(sim));
        opts.geo_console = Some(Arc::new(std::sync::Mutex::new(geo)));
    }
    if let Some(avd) = &target.avd {
        opts.geo_console = Some(Arc::new(std::sync::Mutex::new(avd.geo_console())));
    }
    if let Some(avd) = &mut target.avd
        && let Some(hook) = avd.capture.take()
    {
        opts.net_capture = Some(Arc::new(std::sync::Mutex::new(hook)));
    }
}

#[cfg(test)]
mod tests {
    use super::component_of;

    #[test]
    fn a_scenario_activity_resolves_like_a_manifest_name() {
        assert_eq!(component_of("com.x", ".Main"), "com.x/com.x.Main");
        assert_eq!(component_of("com.x", "Main"), "com.x/com.x.Main");
        assert_eq!(component_of("com.x", "com.y.Main"), "com.x/com.y.Main");
        assert_eq!(component_of("com.x", "com.x/.Main"), "com.x/.Main");
    }
}
