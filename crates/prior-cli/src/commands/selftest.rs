//! `prior selftest`: install Prior's canary app, run its scenario, analyse the session and
//! print which of the canary's known accesses each source revealed (docs/selftest.md).
//!
//! The canary (`canary/prior-canary.apk`, built from `canary/src` by `canary/build.sh`), its
//! scenario (`canary/canary.yaml`), its simulated-handset model and its list of accesses
//! (`canary/accesses.toml`) are embedded in the binary, so `prior selftest` works from any
//! directory. Per access and source (ipc, appops, logcat, net) the matrix says `seen`,
//! `MISSED` (the source was analysed and should have shown it), `not seen` (optional there),
//! `unavailable` (the source was not analysed, e.g. no IPC trace), `n/a` (the device's API level
//! lacks the call) or `—` (the source cannot show it). Exit 1 when anything was MISSED.

use super::analyze;
use crate::exit::Outcome;
use crate::{CliError, CliResult};
use prior_analyze::Report;
use prior_analyze::report::SourceStatus;
use prior_model::{ConsentOutcome, EventKind, Phase, Source};
use prior_record::record::{RecordOptions, record};
use prior_scenario::{Scenario, Vars};
use prior_sim::device::DeviceProfile;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The canary APK, built by `canary/build.sh`.
const APK: &[u8] = include_bytes!("../../../../canary/prior-canary.apk");
/// Its scenario.
const SCENARIO: &str = include_str!("../../../../canary/canary.yaml");
/// Its behaviour model for the simulated handset.
const MODEL: &str = include_str!("../../../../scenarios/demo/models/prior-canary.model");
/// The list of its accesses.
pub const ACCESSES: &str = include_str!("../../../../canary/accesses.toml");

/// The sources of the matrix, in column order.
const SOURCES: [Source; 4] = [Source::Ipc, Source::Appops, Source::Logcat, Source::Net];

/// Output formats of `prior selftest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The matrix as a table.
    Text,
    /// The matrix as JSON (docs/selftest.md).
    Json,
}

/// Arguments of `prior selftest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Device: `simulated` (the default: Prior's simulated handset), an adb serial, or
    /// `avd:NAME` to boot that AVD.
    #[arg(long, value_name = "SERIAL")]
    device: Option<String>,
    /// Profile of the simulated handset (api24…api34 with -user or -userdebug,
    /// xiaomi-api30-user, api33-never-idle; docs/sim-models.md). Default api33-userdebug.
    #[arg(long, value_name = "NAME", value_parser = parse_profile)]
    profile: Option<DeviceProfile>,
    /// Leave an emulator booted for `--device avd:NAME` running afterwards.
    #[arg(long)]
    keep_emulator: bool,
    /// Where the session bundle is written.
    #[arg(long, default_value = "prior-runs", value_name = "DIR")]
    out: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Check an existing canary bundle instead of recording one.
    #[arg(long, value_name = "BUNDLE", conflicts_with_all = ["device", "keep_emulator", "profile"])]
    bundle: Option<PathBuf>,
    /// Print the canary's accesses (canary/accesses.toml) and what each source should show;
    /// record nothing.
    #[arg(long, conflicts_with_all = ["device", "keep_emulator", "bundle", "profile"])]
    list: bool,
}

fn parse_profile(s: &str) -> Result<DeviceProfile, String> {
    DeviceProfile::parse(s).map_err(|e| e.to_string())
}

/// `canary/accesses.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessList {
    /// The canary's package.
    pub package: String,
    /// Its accesses, in the order the app makes them.
    pub access: Vec<Access>,
}

/// When an access happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// In `MainActivity.onCreate`, before the consent dialog.
    Before,
    /// After 同意.
    After,
}

/// One access of the canary (field meanings: the header of `canary/accesses.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    pub id: String,
    pub category: String,
    pub java: String,
    pub invoke: String,
    pub class: String,
    pub method: String,
    #[serde(default)]
    pub sdk: Option<String>,
    pub phase: When,
    #[serde(default)]
    pub sim_api: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub min_api: Option<u32>,
    #[serde(default)]
    pub ipc: Vec<String>,
    #[serde(default)]
    pub appops: Vec<String>,
    #[serde(default)]
    pub logcat: Vec<String>,
    #[serde(default)]
    pub net: Vec<String>,
    #[serde(default)]
    pub optional: Vec<String>,
    #[serde(default)]
    pub note: String,
}

impl Access {
    /// The event `api`s that reveal this access in `source`.
    pub fn signals(&self, source: Source) -> &[String] {
        match source {
            Source::Ipc => &self.ipc,
            Source::Appops => &self.appops,
            Source::Logcat => &self.logcat,
            Source::Net => &self.net,
            _ => &[],
        }
    }
}

/// Parses an access list.
pub fn parse_accesses(text: &str) -> Result<AccessList, String> {
    let list: AccessList = toml::from_str(text).map_err(|e| e.to_string())?;
    for a in &list.access {
        for s in &a.optional {
            if !SOURCES.iter().any(|src| src.as_str() == s) {
                return Err(format!("access {}: unknown optional source {s:?}", a.id));
            }
        }
        if SOURCES.iter().all(|s| a.signals(*s).is_empty()) {
            return Err(format!("access {}: no source is expected to show it", a.id));
        }
    }
    Ok(list)
}

/// One cell of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// The source revealed the access.
    Seen,
    /// The source was analysed and should have revealed it, but did not.
    Missed,
    /// The source may show it on this device but did not (not a miss).
    NotSeen,
    /// The source was not analysed in this session.
    Unavailable,
    /// The device's API level lacks the call.
    NotApplicable,
    /// The source cannot show this access.
    NotExpected,
}

impl Cell {
    fn label(self) -> &'static str {
        match self {
            Cell::Seen => "seen",
            Cell::Missed => "MISSED",
            Cell::NotSeen => "not seen",
            Cell::Unavailable => "unavailable",
            Cell::NotApplicable => "n/a",
            Cell::NotExpected => "—",
        }
    }
}

/// A source's availability in the session.
#[derive(Debug, Clone, Serialize)]
pub struct SourceState {
    /// `ipc`, `appops`, `logcat`, `net`.
    pub source: &'static str,
    /// The analyzer's status (`analysed`, `partial`, `not_captured`, …), `absent` when the
    /// report does not list the source.
    pub status: String,
    /// Whether the matrix counts it.
    pub available: bool,
    /// The analyzer's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Accesses it revealed.
    pub seen: u64,
    /// Accesses it should have revealed (seen + missed).
    pub expected: u64,
}

/// One access's row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    pub category: String,
    pub phase: When,
    pub java: String,
    pub class: String,
    /// One cell per source: `ipc`, `appops`, `logcat`, `net`.
    pub cells: std::collections::BTreeMap<&'static str, Cell>,
}

/// An access a source should have revealed and did not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Miss {
    /// `ipc`, `appops`, `logcat`, `net`.
    pub source: &'static str,
    /// The access's id.
    pub access: String,
}

/// The whole self-test result.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// The device's serial.
    pub device: String,
    /// Whether it is Prior's simulated handset.
    pub simulated: bool,
    /// Its API level, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_level: Option<u32>,
    /// What became of the consent dialog (`accepted` expected).
    pub consent: ConsentOutcome,
    /// The bundle checked.
    pub bundle: String,
    pub sources: Vec<SourceState>,
    pub rows: Vec<Row>,
    /// Cells seen over cells expected, all sources.
    pub seen: u64,
    pub expected: u64,
    /// Every miss.
    pub missed: Vec<Miss>,
    /// Why the recording is incomplete (the report's `incomplete`); empty when complete.
    pub incomplete: Vec<String>,
    /// Timeline events left out of the report (the check only sees the first ones).
    pub events_not_checked: u64,
    /// No miss and at least one expected cell.
    pub passed: bool,
}

fn status_name(status: SourceStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{status:?}"))
}

fn phase_matches(when: When, phase: Phase) -> bool {
    match when {
        When::Before => phase == Phase::BeforeConsent,
        When::After => phase != Phase::BeforeConsent,
    }
}

/// What the recorder said about a source it could not collect (`HarnessRecord::Collector`
/// with state `unavailable` or `failed`): the state's name and the reason.
pub type CollectorNotes = Vec<(Source, String, String)>;

/// The bundle's `unavailable` / `failed` collector records.
pub fn collector_notes(bundle: &prior_model::bundle::Bundle) -> CollectorNotes {
    use prior_model::bundle::{CollectorState, HarnessRecord};
    bundle
        .harness
        .iter()
        .filter_map(|h| match &h.record {
            HarnessRecord::Collector {
                source,
                state: state @ (CollectorState::Unavailable | CollectorState::Failed),
                reason,
                ..
            } => Some((*source, state.as_str().to_string(), reason.clone())),
            _ => None,
        })
        .collect()
}

/// `ro.debuggable` of the device: the recorder's `meta.device.debuggable`, else the recorded
/// `raw/device/getprop.txt`.
fn device_debuggable(bundle: &prior_model::bundle::Bundle) -> Option<bool> {
    if let Some(d) = bundle.meta.device.debuggable {
        return Some(d);
    }
    let props = fs_err::read_to_string(bundle.path("raw/device/getprop.txt")).ok()?;
    props.lines().find_map(|l| {
        let v = l
            .trim()
            .strip_prefix("[ro.debuggable]: [")?
            .strip_suffix(']')?;
        Some(v == "1")
    })
}

/// Sources the session could not show, as the recorder reported them, plus IPC when neither
/// the build nor the app is debuggable: `am trace-ipc` dumps a process only if
/// `Build.IS_DEBUGGABLE || process.isDebuggable()` (ActivityManagerService,
/// docs/sim-models.md), so on a user build it sees nothing of a release app.
pub fn unavailable_sources(bundle: &prior_model::bundle::Bundle) -> CollectorNotes {
    let mut notes = collector_notes(bundle);
    let app_debuggable = bundle.meta.app.debuggable.unwrap_or(false);
    if !notes.iter().any(|(s, _, _)| *s == Source::Ipc)
        && !app_debuggable
        && device_debuggable(bundle) == Some(false)
    {
        notes.push((
            Source::Ipc,
            "unavailable".to_string(),
            "a user build (ro.debuggable=0) and a release app: am trace-ipc does not trace it"
                .to_string(),
        ));
    }
    notes
}

/// Checks `report` (of a canary session) against `list`. A source is available when the
/// analyzer read it (`analysed` or `partial`) and the recorder did not report it
/// `unavailable` or `failed` (`collectors`).
pub fn evaluate(
    list: &AccessList,
    report: &Report,
    collectors: &CollectorNotes,
    bundle: &Path,
) -> Matrix {
    let mut sources: Vec<SourceState> = SOURCES
        .iter()
        .map(|&s| {
            let check = report.checked.sources.iter().find(|c| c.source == s);
            let recorder = collectors.iter().find(|(src, _, _)| *src == s);
            let available = recorder.is_none()
                && check.is_some_and(|c| {
                    matches!(c.status, SourceStatus::Analysed | SourceStatus::Partial)
                });
            let (status, note) = match recorder {
                Some((_, state, reason)) => (state.clone(), Some(reason.clone())),
                None => (
                    check.map_or_else(|| "absent".to_string(), |c| status_name(c.status)),
                    check.and_then(|c| c.note.clone()),
                ),
            };
            SourceState {
                source: s.as_str(),
                status,
                available,
                note,
                seen: 0,
                expected: 0,
            }
        })
        .collect();
    let api_level = report.device.api_level;
    let mut rows = Vec::new();
    let mut missed = Vec::new();
    for a in &list.access {
        let mut cells = std::collections::BTreeMap::new();
        for (i, &src) in SOURCES.iter().enumerate() {
            let signals = a.signals(src);
            let optional = a.optional.iter().any(|o| o == src.as_str());
            let cell = if signals.is_empty() {
                Cell::NotExpected
            } else if a.min_api.zip(api_level).is_some_and(|(min, api)| api < min) {
                Cell::NotApplicable
            } else if !sources[i].available {
                Cell::Unavailable
            } else {
                let seen = report.timeline.iter().any(|t| {
                    let e = &t.event;
                    e.source == src
                        && matches!(e.kind, EventKind::DataAccess | EventKind::NetworkContact)
                        && phase_matches(a.phase, t.phase)
                        && (src == Source::Net
                            || e.category.map(|c| c.as_str()) == Some(a.category.as_str()))
                        && e.api
                            .as_ref()
                            .is_some_and(|api| signals.iter().any(|s| api.is(s)))
                });
                match (seen, optional) {
                    (true, _) => Cell::Seen,
                    (false, true) => Cell::NotSeen,
                    (false, false) => Cell::Missed,
                }
            };
            match cell {
                Cell::Seen => {
                    sources[i].seen += 1;
                    sources[i].expected += 1;
                }
                Cell::Missed => {
                    sources[i].expected += 1;
                    missed.push(Miss {
                        source: src.as_str(),
                        access: a.id.clone(),
                    });
                }
                _ => {}
            }
            cells.insert(src.as_str(), cell);
        }
        rows.push(Row {
            id: a.id.clone(),
            category: a.category.clone(),
            phase: a.phase,
            java: a.java.clone(),
            class: a.class.clone(),
            cells,
        });
    }
    let seen = sources.iter().map(|s| s.seen).sum();
    let expected = sources.iter().map(|s| s.expected).sum::<u64>();
    Matrix {
        device: report.device.serial.clone(),
        simulated: report.device.simulated,
        api_level,
        consent: report.consent.outcome,
        bundle: bundle.display().to_string(),
        sources,
        rows,
        seen,
        expected,
        passed: missed.is_empty() && expected > 0,
        incomplete: report.incomplete.clone(),
        missed,
        events_not_checked: report
            .timeline_total
            .saturating_sub(report.timeline.len() as u64),
    }
}

fn percent(seen: u64, expected: u64) -> String {
    if expected == 0 {
        "—".to_string()
    } else {
        format!("{:.0}%", seen as f64 * 100.0 / expected as f64)
    }
}

/// The matrix as a terminal table.
pub fn render_text(m: &Matrix) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Prior self-test on {}{}{}",
        m.device,
        if m.simulated {
            " (SIMULATED handset)"
        } else {
            ""
        },
        m.api_level
            .map(|a| format!(", API {a}"))
            .unwrap_or_default()
    );
    let _ = writeln!(t, "bundle: {}", m.bundle);
    let consent = serde_json::to_value(m.consent)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{:?}", m.consent));
    let _ = writeln!(t, "consent: {consent}\n");
    let _ = write!(t, "{:<24} {:<20} {:<7}", "access", "category", "phase");
    for s in SOURCES {
        let _ = write!(t, " {:<12}", s.as_str());
    }
    t.push('\n');
    for r in &m.rows {
        let phase = match r.phase {
            When::Before => "before",
            When::After => "after",
        };
        let _ = write!(t, "{:<24} {:<20} {:<7}", r.id, r.category, phase);
        for s in SOURCES {
            let cell = r
                .cells
                .get(s.as_str())
                .copied()
                .unwrap_or(Cell::NotExpected);
            let _ = write!(t, " {:<12}", cell.label());
        }
        t.push('\n');
    }
    let _ = write!(t, "{:<24} {:<20} {:<7}", "recall", "", "");
    for s in &m.sources {
        let cell = if s.available {
            format!("{}/{} {}", s.seen, s.expected, percent(s.seen, s.expected))
        } else {
            "unavailable".to_string()
        };
        let _ = write!(t, " {cell:<12}");
    }
    t.push_str("\n\nsources:\n");
    // The last column is padded like the others; no line ends in spaces.
    let mut t: String = t.lines().map(|l| format!("{}\n", l.trim_end())).collect();
    for s in &m.sources {
        let _ = writeln!(
            t,
            "  {:<7} {}{}",
            s.source,
            s.status,
            s.note
                .as_deref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default()
        );
    }
    for reason in &m.incomplete {
        let _ = writeln!(t, "recording incomplete: {reason}");
    }
    if m.events_not_checked > 0 {
        let _ = writeln!(
            t,
            "note: {} events beyond the report's timeline were not checked",
            m.events_not_checked
        );
    }
    let _ = writeln!(
        t,
        "\noverall recall {}/{} ({}): {}",
        m.seen,
        m.expected,
        percent(m.seen, m.expected),
        if m.passed {
            "PASS — every access this device should reveal was seen".to_string()
        } else if m.expected == 0 {
            "NOTHING CHECKED — no source that should reveal an access was available".to_string()
        } else {
            format!(
                "FAIL — missed: {}",
                m.missed
                    .iter()
                    .map(|m| format!("{} in {}", m.access, m.source))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    t
}

/// Writes the embedded canary files into `dir` in the repository's layout, so the scenario's
/// relative paths resolve; returns the scenario's path.
fn unpack(dir: &Path) -> Result<PathBuf, CliError> {
    let canary = dir.join("canary");
    let models = dir.join("scenarios/demo/models");
    fs_err::create_dir_all(&canary).map_err(CliError::io)?;
    fs_err::create_dir_all(&models).map_err(CliError::io)?;
    fs_err::write(canary.join("prior-canary.apk"), APK).map_err(CliError::io)?;
    fs_err::write(models.join("prior-canary.model"), MODEL).map_err(CliError::io)?;
    let scenario = canary.join("canary.yaml");
    fs_err::write(&scenario, SCENARIO).map_err(CliError::io)?;
    Ok(scenario)
}

/// Starts the simulated handset of `profile` with the canary's model (unpacked beside the
/// scenario) and returns a device handle on its smart socket.
fn simulated(scenario_path: &Path, profile: DeviceProfile) -> Result<super::run::Target, CliError> {
    let root = scenario_path
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    let models = vec![root.join("scenarios/demo/models")];
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let (sim, server) = super::sim::start_with_profile(
        loopback,
        Some(loopback),
        &models,
        1,
        "Asia/Shanghai",
        prior_sim::adbd::AuthPolicy::Skip,
        profile,
    )?;
    let Some(std::net::SocketAddr::V4(smart)) = server.smart_socket_addr() else {
        return Err(CliError::device_msg(
            "failed to start the simulated handset's adb socket",
        ));
    };
    let device = prior_device::AdbServer::new(smart)
        .device(server.serial())
        .map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    Ok(super::run::Target {
        device,
        simulated: true,
        avd: None,
        _sim: Some((sim, server)),
    })
}

/// Records the canary scenario on the chosen device; returns the bundle directory.
fn record_canary(args: &Args, scenario_path: &Path) -> Result<PathBuf, CliError> {
    let scenario = Scenario::load(scenario_path, &Vars::default())
        .map_err(|e| CliError::input(miette::Report::new(e)))?;
    let app = super::run::app_under_test(&scenario)?;
    let dir = super::run::bundle_dir(&args.out, &scenario)?;
    // The scenario names the simulated handset with the canary's model directory.
    let flag = args.device.as_deref().filter(|d| *d != "simulated");
    let mut target = match (flag, args.profile) {
        (None, Some(profile)) => simulated(scenario_path, profile)?,
        (Some(_), Some(_)) => {
            return Err(CliError::input_msg(
                "--profile is for the simulated handset; it cannot be used with --device SERIAL",
            ));
        }
        (flag, None) => super::run::pick_device(&scenario, flag, &dir)?,
    };
    let ui = super::run::Ui::new(&format!(
        "prior selftest — {} on {}{}",
        app.package,
        target.device.serial(),
        if target.simulated {
            " (SIMULATED handset)"
        } else {
            ""
        }
    ));
    // SIGINT/SIGTERM/SIGHUP seal an incomplete bundle; a second one exits at once (128 + N).
    let stop = Arc::new(prior_record::stop::Stop::new());
    crate::signals::stop_on_signals(Arc::clone(&stop));
    let mut opts = RecordOptions::new(dir, env!("CARGO_PKG_VERSION"));
    opts.simulated = target.simulated;
    opts.stop = stop;
    super::run::attach_net_capture(&mut target, &mut opts);
    let mut booted = super::avd::Booted::default();
    let recording = record(&scenario, &app, &target.device, &opts, &ui);
    ui.finish();
    if let Some(avd) = target.avd.take()
        && let Some(note) = booted.after_run(avd)
    {
        note!("emulator: {note}");
    }
    for note in booted.finish(args.keep_emulator) {
        note!("emulator: {note}");
    }
    drop(target);
    let recording = recording.map_err(|e| CliError::device_msg(format!("failed to {e}")))?;
    Ok(recording.bundle_dir)
}

/// The access list as a table.
fn render_list(list: &AccessList) -> String {
    let mut t = format!("Prior's canary ({}): its accesses\n\n", list.package);
    for a in &list.access {
        let _ = writeln!(
            t,
            "{:<24} {:<20} {:<6} {}.{}  ({}{})",
            a.id,
            a.category,
            match a.phase {
                When::Before => "before",
                When::After => "after",
            },
            a.class,
            a.method,
            a.java,
            a.sdk
                .as_deref()
                .map(|s| format!("; SDK {s}"))
                .unwrap_or_default()
        );
        for src in SOURCES {
            let signals = a.signals(src);
            if !signals.is_empty() {
                let optional = if a.optional.iter().any(|o| o == src.as_str()) {
                    " (optional)"
                } else {
                    ""
                };
                let _ = writeln!(
                    t,
                    "    {:<7} {}{optional}",
                    src.as_str(),
                    signals.join(" | ")
                );
            }
        }
    }
    t
}

fn to_json<T: Serialize>(value: &T) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::input_msg(format!("failed to serialise: {e}")))?;
    s.push('\n');
    Ok(s)
}

/// Runs `prior selftest`.
pub fn run(args: Args) -> CliResult {
    let list = parse_accesses(ACCESSES)
        .map_err(|e| CliError::input_msg(format!("the embedded canary/accesses.toml: {e}")))?;
    if args.list {
        let text = match args.format {
            Format::Text => render_list(&list),
            Format::Json => to_json(&list)?,
        };
        super::out(&text)?;
        return Ok(Outcome::Done);
    }
    let bundle = match &args.bundle {
        Some(b) => b.clone(),
        None => {
            let tmp = std::env::temp_dir().join(format!("prior-selftest-{}", std::process::id()));
            let scenario = unpack(&tmp)?;
            let recorded = record_canary(&args, &scenario);
            let _ = fs_err::remove_dir_all(&tmp);
            recorded?
        }
    };
    let report = analyze::analyze_bundle(&bundle, None, None, false)?;
    let collectors = prior_model::bundle::Bundle::open(&bundle)
        .map(|b| unavailable_sources(&b))
        .unwrap_or_default();
    if report.app.package != list.package {
        return Err(CliError::input_msg(format!(
            "{}: the bundle records {}, not the canary ({})",
            bundle.display(),
            report.app.package,
            list.package
        )));
    }
    let matrix = evaluate(&list, &report, &collectors, &bundle);
    let text = match args.format {
        Format::Text => render_text(&matrix),
        Format::Json => to_json(&matrix)?,
    };
    // Derived data, kept beside the evidence (outside the manifest) as `prior run` does.
    if args.bundle.is_none() {
        let _ = fs_err::write(
            bundle.join("report.json"),
            prior_report::render_json(&report),
        );
        if let Ok(json) = to_json(&matrix) {
            let _ = fs_err::write(bundle.join("selftest.json"), json);
        }
    }
    super::out(&text)?;
    // A recording stopped by Ctrl-C, SIGTERM or SIGHUP missed nothing: the canary's later
    // accesses never ran. It is incomplete (exit 4), never a recall failure.
    if let Some(why) = report
        .incomplete
        .iter()
        .find(|r| r.starts_with(crate::signals::STOPPED_BY))
    {
        note!("self-test inconclusive: the recording was {why}");
        return Ok(Outcome::Verdict(prior_model::Verdict::Inconclusive));
    }
    Ok(Outcome::Selftest {
        passed: matrix.passed,
        checked: matrix.expected > 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use prior_sim::device::model::{Action, AppModel};

    fn list() -> AccessList {
        parse_accesses(ACCESSES).expect("canary/accesses.toml parses")
    }

    fn fixture() -> Report {
        serde_json::from_str(include_str!(
            "../../../../tests/data/selftest/canary-report.json"
        ))
        .expect("the fixture is a report")
    }

    fn accesses(actions: &[Action]) -> Vec<(&str, &str)> {
        actions
            .iter()
            .filter_map(|a| a.access.as_ref())
            .map(|a| {
                (
                    a.api.as_str(),
                    a.stack.first().map(String::as_str).unwrap_or(""),
                )
            })
            .collect()
    }

    /// The model does what the list says, no more: each row's `sim_api` with `class.method`
    /// innermost, in its phase; the tracker host; nothing after 不同意.
    #[test]
    fn model_agrees_with_the_list() {
        let list = list();
        let model = AppModel::from_yaml(MODEL, "prior-canary.model").expect("model loads");
        assert_eq!(model.package, list.package);
        let before = accesses(&model.on_start);
        let after = accesses(model.phases.get("accepted").map_or(&[], Vec::as_slice));
        let mut expected_before = Vec::new();
        let mut expected_after = Vec::new();
        for a in &list.access {
            let frame = format!("{}.{}", a.class, a.method);
            match (&a.sim_api, &a.host) {
                (Some(api), None) => {
                    let want = (api.as_str(), frame);
                    match a.phase {
                        When::Before => expected_before.push(want),
                        When::After => expected_after.push(want),
                    }
                }
                (None, Some(host)) => {
                    assert_eq!(a.phase, When::Before, "{}", a.id);
                    let hosts: Vec<&str> = model
                        .on_start
                        .iter()
                        .filter_map(|x| x.contact.as_ref())
                        .map(|c| c.host.as_str())
                        .collect();
                    assert_eq!(hosts, [host.as_str()], "{}", a.id);
                }
                _ => panic!("{}: exactly one of sim_api and host", a.id),
            }
        }
        let norm = |v: Vec<(&str, &str)>| -> Vec<(String, String)> {
            v.into_iter()
                .map(|(a, f)| (a.to_string(), f.to_string()))
                .collect()
        };
        let exp = |v: Vec<(&str, String)>| -> Vec<(String, String)> {
            v.into_iter().map(|(a, f)| (a.to_string(), f)).collect()
        };
        assert_eq!(norm(before), exp(expected_before));
        assert_eq!(norm(after), exp(expected_after));
        for (name, actions) in &model.phases {
            if name != "accepted" {
                assert!(accesses(actions).is_empty(), "phase {name} touches data");
                assert!(actions.iter().all(|a| a.contact.is_none()), "{name}");
            }
        }
    }

    /// Categories are Prior's, classes belong to the SDK named, signals are catalog entries.
    #[test]
    fn list_agrees_with_the_catalogs() {
        let list = list();
        let sdks = prior_apk::sdk::SdkCatalog::builtin().expect("SDK catalogue");
        let catalog = prior_analyze::Catalog::builtin().expect("catalog");
        for a in &list.access {
            if a.category != "tracker_contact" {
                assert!(
                    prior_model::DataCategory::ALL
                        .iter()
                        .any(|c| c.as_str() == a.category),
                    "{}: category {}",
                    a.id,
                    a.category
                );
            }
            match &a.sdk {
                Some(id) => {
                    let (sdk, _) = sdks.sdk_of_class(&a.class).expect("an SDK's class");
                    assert_eq!(&sdk.id, id, "{}", a.id);
                }
                None => assert!(a.class.starts_with(&format!("{}.", list.package))),
            }
            for m in &a.ipc {
                assert!(
                    catalog.binder.iter().any(|b| &b.method == m),
                    "{}: {m}",
                    a.id
                );
            }
            for op in &a.appops {
                let op = op.strip_prefix("appop:").expect("appop:NAME");
                assert!(catalog.appops.iter().any(|e| e.op == op), "{}: {op}", a.id);
            }
            for host in &a.net {
                let host = host.strip_prefix("host:").expect("host:NAME");
                assert!(
                    catalog
                        .trackers
                        .iter()
                        .any(|t| t.hosts.iter().any(|h| host.ends_with(h.as_str()))),
                    "{}: {host}",
                    a.id
                );
            }
        }
    }

    #[test]
    fn simulated_session_has_full_recall() {
        let m = evaluate(&list(), &fixture(), &Vec::new(), Path::new("b"));
        assert!(m.passed, "{}", render_text(&m));
        assert_eq!((m.seen, m.expected), (16, 16));
        let clip = m.rows.iter().find(|r| r.id == "clipboard").expect("row");
        assert_eq!(clip.cells["logcat"], Cell::NotSeen);
        assert_eq!(clip.cells["appops"], Cell::Seen);
        assert_eq!(clip.cells["net"], Cell::NotExpected);
        let text = render_text(&m);
        assert!(text.contains("overall recall 16/16 (100%): PASS"), "{text}");
    }

    #[test]
    fn an_unavailable_source_is_shown_not_missed() {
        let mut r = fixture();
        for s in &mut r.checked.sources {
            if s.source == Source::Ipc {
                s.status = SourceStatus::Unavailable;
            }
        }
        let m = evaluate(&list(), &r, &Vec::new(), Path::new("b"));
        assert!(m.passed);
        assert_eq!((m.seen, m.expected), (7, 7));
        assert!(m.rows.iter().all(|r| r.cells["ipc"] == Cell::Unavailable
            || r.cells["ipc"] == Cell::NotExpected));
        assert!(render_text(&m).contains("unavailable"));
    }

    #[test]
    fn a_source_the_recorder_could_not_collect_is_unavailable() {
        // As on a user build, where `am trace-ipc` does not trace a release app.
        let notes = vec![(
            Source::Ipc,
            "unavailable".to_string(),
            "user build; the app is not debuggable".to_string(),
        )];
        let m = evaluate(&list(), &fixture(), &notes, Path::new("b"));
        assert!(m.passed);
        let ipc = &m.sources[0];
        assert_eq!((ipc.source, ipc.available), ("ipc", false));
        assert_eq!(ipc.status, "unavailable");
        let text = render_text(&m);
        assert!(
            text.contains("ipc     unavailable — user build; the app is not debuggable"),
            "{text}"
        );
        let accounts = m.rows.iter().find(|r| r.id == "accounts").expect("row");
        assert_eq!(accounts.cells["ipc"], Cell::Unavailable);
    }

    #[test]
    fn a_missing_signal_fails_and_is_named() {
        let mut r = fixture();
        r.timeline.retain(|t| t.event.source != Source::Net);
        // The after-consent read counted as before consent must not pass as "after".
        for t in &mut r.timeline {
            t.phase = Phase::BeforeConsent;
        }
        let m = evaluate(&list(), &r, &Vec::new(), Path::new("b"));
        assert!(!m.passed);
        assert_eq!(
            m.missed,
            [
                Miss {
                    source: "net",
                    access: "tracker_contact".into()
                },
                Miss {
                    source: "ipc",
                    access: "after_consent_packages".into()
                }
            ]
        );
        assert!(
            render_text(&m)
                .contains("FAIL — missed: tracker_contact in net, after_consent_packages in ipc")
        );
    }

    #[test]
    fn calls_missing_at_the_api_level_are_not_applicable() {
        let mut r = fixture();
        r.device.api_level = Some(25);
        let m = evaluate(&list(), &r, &Vec::new(), Path::new("b"));
        let imei = m.rows.iter().find(|r| r.id == "imei").expect("row");
        assert_eq!(imei.cells["ipc"], Cell::NotApplicable);
        assert!(m.passed);
        assert_eq!(m.expected, 13);
    }

    #[test]
    fn nothing_available_is_not_a_pass() {
        let mut r = fixture();
        r.checked.sources.clear();
        let m = evaluate(&list(), &r, &Vec::new(), Path::new("b"));
        assert!(!m.passed);
        assert_eq!(m.expected, 0);
        assert!(render_text(&m).contains("NOTHING CHECKED"));
    }
}
