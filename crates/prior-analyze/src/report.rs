//! The analysis result. `docs/report-json.md` documents every field of its JSON form.
//!
//! Everything here is plain data, serialised in field order with every list sorted, so the
//! same bundle + catalog + profile give byte-identical JSON.

use crate::profile::RuleId;
use prior_model::{
    Actor, ConsentBoundary, ConsentOutcome, DataCategory, Event, Evidence, Micros, Phase, Severity,
    Source, Timing, Verdict,
};
use serde::{Deserialize, Serialize};

/// Version of the report layout; bumped when a field changes meaning or is removed.
/// 2: `checked.sources[].status` is one of four coverage states with a typed `reason`.
pub const REPORT_FORMAT: u32 = 2;

/// At most this many pieces of evidence are kept per finding (earliest first).
pub const MAX_EVIDENCE: usize = 20;

/// The analysis of one session bundle under one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_FORMAT`].
    pub report_format: u32,
    /// The analyzer that wrote this report.
    pub analyzer: ToolVersion,
    /// The verdict.
    pub verdict: Verdict,
    /// Counts of findings.
    pub summary: Summary,
    /// The bundle analysed.
    pub bundle: BundleFacts,
    /// The app.
    pub app: AppFacts,
    /// The device.
    pub device: DeviceFacts,
    /// The rule profile applied.
    pub profile: ProfileFacts,
    /// The personal-data catalog used.
    pub catalog: CatalogFacts,
    /// Every input of the analysis besides the bundle, with its version: the personal-data
    /// catalog, the SDK catalogue that names actors, the profile. Absent in reports written
    /// before issue 14.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Inputs>,
    /// The consent boundary and how it was found.
    pub consent: ConsentReport,
    /// The findings, ordered by phase, time, rule, category and api.
    pub findings: Vec<ReportFinding>,
    /// What was looked at and found clean.
    pub checked: Checked,
    /// The manifest check.
    pub integrity: IntegrityReport,
    /// Why the session or its analysis is incomplete; empty when complete.
    pub incomplete: Vec<String>,
    /// The scenario's `expect:` block judged on this report, when asked for
    /// ([`crate::AnalyzeOptions::judge_expect_on`]) and the bundle's scenario has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectations: Option<ExpectationsReport>,
    /// Why the recorded scenario's expectations could not be read (an older bundle whose
    /// scenario text no longer parses): they were not applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectations_not_read: Option<String>,
    /// Events of the session in time order, at most [`crate::AnalyzeOptions::timeline_limit`].
    pub timeline: Vec<TimelineEntry>,
    /// How many events there were (the timeline may be shorter).
    pub timeline_total: u64,
    /// Honey values searched in intercepted traffic, and where they were found (issue 18);
    /// absent when the bundle has neither `raw/http.jsonl` nor `raw/device/honey.json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transmission: Option<crate::transmission::TransmissionReport>,
}

impl Report {
    /// Whether the session or its analysis was incomplete.
    pub fn is_incomplete(&self) -> bool {
        !self.incomplete.is_empty()
    }

    /// The sources that keep this report from passing: required by the profile but not
    /// analysed, or run and failed / incomplete (see [`SourceCheck::blocks_pass`]), in
    /// `checked.sources` order.
    pub fn blind_sources(&self) -> impl Iterator<Item = &SourceCheck> {
        self.checked.sources.iter().filter(|s| s.blocks_pass())
    }

    /// The reasons in [`Report::incomplete`] other than the sentences about
    /// [blind sources](Self::blind_sources) (for renderers that list those separately).
    pub fn incomplete_besides_sources(&self) -> impl Iterator<Item = &String> {
        let blind: Vec<String> = self
            .blind_sources()
            .map(|s| s.incomplete_sentence(&self.profile.name))
            .collect();
        self.incomplete.iter().filter(move |i| !blind.contains(i))
    }

    /// Findings that are violations (severity above `info`).
    pub fn violations(&self) -> impl Iterator<Item = &ReportFinding> {
        self.findings.iter().filter(|f| f.severity.is_violation())
    }
}

/// A tool name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolVersion {
    /// `prior-analyze`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Counts of findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// All findings.
    pub findings: u64,
    /// Findings above `info`.
    pub violations: u64,
    /// Findings per severity.
    pub high: u64,
    /// Findings per severity.
    pub medium: u64,
    /// Findings per severity.
    pub low: u64,
    /// Findings per severity.
    pub info: u64,
    /// Personal-data access events seen (all phases).
    pub data_access_events: u64,
}

/// Facts about the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleFacts {
    /// Bundle layout version.
    pub format: u32,
    /// The Prior version that recorded it.
    pub recorded_by: String,
    /// `recording` | `complete` | `incomplete` as meta.json says.
    pub status: String,
    /// sha256 of `MANIFEST.sha256` itself: identifies exactly which sealed bundle was analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_sha256: Option<String>,
    /// The scenario's name, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// The consent mode (`auto` | `manual` | `reject`), when a scenario gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_mode: Option<String>,
    /// Host time the recording started (for orientation only).
    pub started_host_us: i64,
    /// Host time the recording ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_host_us: Option<i64>,
}

/// Facts about the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppFacts {
    /// Package name.
    pub package: String,
    /// `versionName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// `versionCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_code: Option<String>,
    /// sha256 of the APK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apk_sha256: Option<String>,
    /// The app's uid (from meta.json or from the process-start lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Where the uid came from: `meta` | `logcat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid_source: Option<String>,
    /// Process ids of the app seen in logcat, sorted.
    pub pids: Vec<u32>,
}

/// Facts about the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceFacts {
    /// adb serial.
    pub serial: String,
    /// Model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// API level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_level: Option<u32>,
    /// Build fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// UTC offset used for device-local times, seconds east.
    pub utc_offset_s: i32,
    /// An emulator.
    pub emulator: bool,
    /// Prior's simulated handset: every output must say so.
    pub simulated: bool,
}

/// The profile applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileFacts {
    /// Name.
    pub name: String,
    /// Title.
    pub title: String,
    /// `builtin` | `file`.
    pub origin: String,
    /// The profile file as given on the command line, when `origin` is `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// sha256 of the profile's TOML text (a built-in profile's embedded text).
    #[serde(default)]
    pub sha256: String,
    /// The profile the session was recorded for (`meta.json` `profile_used`), when the
    /// bundle says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<prior_model::bundle::ProfileRecord>,
    /// When the profile applied is not the recorded one (another name or another text):
    /// the sentence that says so. Not a reason for incompleteness: analysing under another
    /// profile is a choice, but a report must not hide it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub differs_from_recorded: Option<String>,
}

/// The catalog used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogFacts {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// `builtin` | `file`.
    pub origin: String,
}

/// The scenario's `expect:` block, judged (the analyzer's expect stage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectationsReport {
    /// Where the block was read: `meta` (`meta.json` `scenario.expect`) or `scenario_text`
    /// (a bundle recorded before issue 14: parsed from `scenario.text`).
    pub from: String,
    /// The day allow entries' `expires` were judged on (`YYYY-MM-DD`).
    pub judged_on: String,
    /// Every expectation held.
    pub met: bool,
    /// What was expected, in words.
    pub expected: Vec<String>,
    /// Why they did not hold (empty when met).
    pub problems: Vec<String>,
    /// Violations no allow entry covers.
    pub unexpected: usize,
    /// Allow entries past their `expires` day.
    pub expired: usize,
    /// Violations an allow entry covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<AllowedFinding>,
}

/// A violation an allow entry covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedFinding {
    /// Index into [`Report::findings`].
    pub finding: usize,
    /// The entry's reason.
    pub reason: String,
    /// The entry's last day, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// The inputs of an analysis ([`crate::AnalysisInputs`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// The personal-data catalog.
    pub catalog: InputFacts,
    /// The SDK catalogue (attribution).
    pub sdk_catalogue: InputFacts,
    /// The rule profile.
    pub profile: InputFacts,
}

/// One input: its name and version, where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFacts {
    /// Name (a profile's id).
    pub name: String,
    /// Version, when the input has one (catalogs do; a profile is identified by its sha256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `builtin` | `file`.
    pub origin: String,
    /// The file as given on the command line, when `origin` is `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// sha256 of the input's text, when recorded (profiles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl Inputs {
    /// One line naming every input, e.g. `catalog prior-builtin 2026-11-28, SDK catalogue
    /// prior-sdks 2026-11-30 (file sdks.toml), profile cn-miit (sha256 0123abcd…)`.
    pub fn line(&self) -> String {
        let one = |what: &str, i: &InputFacts| {
            let mut s = format!("{what} {}", i.name);
            if let Some(v) = &i.version {
                s.push(' ');
                s.push_str(v);
            }
            let mut extra = Vec::new();
            if let Some(f) = &i.file {
                extra.push(format!("file {f}"));
            }
            if let Some(h) = &i.sha256 {
                extra.push(format!("sha256 {}…", h.get(..12).unwrap_or(h)));
            }
            if !extra.is_empty() {
                s.push_str(&format!(" ({})", extra.join(", ")));
            }
            s
        };
        format!(
            "{}, {}, {}",
            one("catalog", &self.catalog),
            one("SDK catalogue", &self.sdk_catalogue),
            one("profile", &self.profile)
        )
    }
}

/// How the consent boundary was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// The two `prior` marker lines around Prior's tap, found in logcat.
    LogcatMarkers,
    /// Only the begin marker was found; the window runs to the end of the capture.
    BeginMarkerOnly,
    /// The operator answered (manual mode); the window is between two UI observations.
    UiObservation,
    /// Prior recorded that no consent screen appeared.
    ConsentMissing,
    /// The consent screen was seen but never answered during the session.
    NotAnswered,
    /// No consent record at all (the recording may have stopped first).
    NoRecord,
    /// A tap was recorded but its markers are not in logcat: the moment is unknown.
    MarkersNotFound,
    /// Prior tapped, but the consent screen stayed up (the app ignored the tap): not answered.
    TapIneffective,
}

/// The consent boundary in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentReport {
    /// What happened to the consent screen.
    pub outcome: ConsentOutcome,
    /// When the consent screen was first seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_us: Option<Micros>,
    /// The window in which it was answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<Timing>,
    /// How this was established.
    pub method: ConsentMethod,
    /// Whether events could be placed against the boundary (false when a tap was recorded
    /// but its moment is unknown: access rules were then not applied).
    pub placed: bool,
    /// The marker lines or harness records behind it.
    pub evidence: Vec<Evidence>,
}

impl ConsentReport {
    /// The model's boundary.
    pub fn boundary(&self) -> ConsentBoundary {
        ConsentBoundary {
            outcome: self.outcome,
            shown_us: self.shown_us,
            answered: self.answered,
        }
    }
}

/// How the events of a finding turned out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    /// The data was handed over.
    pub granted: u64,
    /// The system refused (the attempt still counts).
    pub denied: u64,
    /// The signal cannot tell.
    pub unknown: u64,
}

/// One rule that fired, with every event behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFinding {
    /// Stable rule id, e.g. `pre-consent-access`.
    pub rule: String,
    /// Severity under the profile.
    pub severity: Severity,
    /// The personal-data category, when the rule is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<DataCategory>,
    /// Where the earliest event lies relative to consent.
    pub phase: Phase,
    /// Collector of the earliest event.
    pub source: Source,
    /// Timing of the earliest event.
    pub timing: Timing,
    /// The API or signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<prior_model::Signal>,
    /// Who did it, when known (earliest event that says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    /// A one-sentence explanation.
    pub message: String,
    /// Events grouped into this finding.
    pub events: u64,
    /// How they turned out.
    pub outcomes: OutcomeCounts,
    /// Evidence, earliest first, at most [`MAX_EVIDENCE`].
    pub evidence: Vec<Evidence>,
    /// Evidence left out beyond [`MAX_EVIDENCE`].
    pub evidence_omitted: u64,
    /// The collectors whose signals are evidence of this access (`ipc`, `appops`, `logcat`…),
    /// sorted. Empty in reports written before issue 14.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen_by: Vec<Source>,
    /// Signals grouped into this access, from every collector (`events` counts the attempts
    /// of its first collector only). 0 in reports written before issue 14.
    #[serde(default)]
    pub signals: u64,
}

impl ReportFinding {
    /// Whether this finding is one of rule `id`: its own rule, or, for an access a
    /// transmission joined (issue 18: `seen_by` has `http`, the finding keeps the access's
    /// rule), also `transmission-before-consent`. Renderers that have one entry per rule
    /// (JUnit cases) use this so the joined rule fails too; counts stay one per access.
    pub fn is_of_rule(&self, id: &str) -> bool {
        self.rule == id
            || (id == RuleId::TransmissionBeforeConsent.as_str() && self.joined_transmission())
    }

    /// A transmission before consent joined this access (its rule is another one).
    pub fn joined_transmission(&self) -> bool {
        self.rule != RuleId::TransmissionBeforeConsent.as_str()
            && self.seen_by.contains(&Source::Http)
    }
}

/// What was checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    /// Per collector.
    pub sources: Vec<SourceCheck>,
    /// Per personal-data category.
    pub categories: Vec<CategoryCheck>,
}

/// The coverage state of one source: one value per source, carried into every format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    /// Read completely: its absence of findings means something.
    Analysed,
    /// Read, but part of it is missing, cut off or could not be placed.
    Partial,
    /// The device could not give it, or it was not recorded: nothing about it is known.
    Unavailable,
    /// It was attempted and failed: nothing (usable) about it is known.
    Failed,
}

impl SourceStatus {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceStatus::Analysed => "analysed",
            SourceStatus::Partial => "partial",
            SourceStatus::Unavailable => "unavailable",
            SourceStatus::Failed => "failed",
        }
    }
}

/// Why a source is not [`SourceStatus::Analysed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageReason {
    /// A user build (`ro.debuggable=0`) and an app not known to be debuggable: `am trace-ipc`
    /// traces only debuggable processes.
    UserBuild,
    /// The device's API level does not have the command.
    ApiLevel,
    /// The device refused the command or answered with an error instead of output (e.g.
    /// `Unknown option: --package`).
    CommandRefused,
    /// The recorder did not start the collector: the bundle has no record or file of it.
    NotStarted,
    /// The recorder reported the problem in words that name none of the reasons above
    /// (`detail` has them).
    Reported,
    /// Files the harness names are absent.
    FilesMissing,
    /// The output ends mid-record (a recording that was cut off).
    CutOff,
    /// A file could not be read (too large, not a plain path inside the bundle).
    Unreadable,
    /// The output holds nothing of the app (an empty IPC dump, or no section for the app's
    /// processes: they were not traced).
    NoOutput,
    /// Some records could not be placed on the device clock, were searched only in part, or
    /// were not kept beyond a cap.
    Unplaced,
}

impl CoverageReason {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageReason::UserBuild => "user_build",
            CoverageReason::ApiLevel => "api_level",
            CoverageReason::CommandRefused => "command_refused",
            CoverageReason::NotStarted => "not_started",
            CoverageReason::Reported => "reported",
            CoverageReason::FilesMissing => "files_missing",
            CoverageReason::CutOff => "cut_off",
            CoverageReason::Unreadable => "unreadable",
            CoverageReason::NoOutput => "no_output",
            CoverageReason::Unplaced => "unplaced",
        }
    }

    /// A few words for people, e.g. `user build`.
    pub fn label(self) -> &'static str {
        match self {
            CoverageReason::UserBuild => "user build",
            CoverageReason::ApiLevel => "API level",
            CoverageReason::CommandRefused => "command refused",
            CoverageReason::NotStarted => "not recorded",
            CoverageReason::Reported => "reported by the recorder",
            CoverageReason::FilesMissing => "files missing",
            CoverageReason::CutOff => "cut off",
            CoverageReason::Unreadable => "unreadable",
            CoverageReason::NoOutput => "no output for the app",
            CoverageReason::Unplaced => "not all placed",
        }
    }
}

/// One collector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCheck {
    /// The collector.
    pub source: Source,
    /// Its coverage state.
    pub status: SourceStatus,
    /// Why it is not `analysed`; absent when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<CoverageReason>,
    /// The reason in words (the recorder's own words when it reported the problem); absent
    /// when analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The rule profile requires this source to be analysed for a pass.
    pub required: bool,
    /// Files read, bundle-relative, sorted.
    pub files: Vec<String>,
    /// Units read: logcat lines, app-op entries of the app, binder traces of the app, UI
    /// records, capture packets.
    pub items: u64,
    /// Personal-data events found (all phases); for the network capture, events for tracker
    /// hosts.
    pub events: u64,
    /// A note (what was skipped and why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl SourceCheck {
    /// Whether this source keeps the report from passing: a required source that is not
    /// analysed, or any source that was attempted and came out `partial` or `failed` (a
    /// source that is `unavailable` and not required leaves no gap the profile cares about).
    pub fn blocks_pass(&self) -> bool {
        match self.status {
            SourceStatus::Analysed => false,
            SourceStatus::Unavailable => self.required,
            SourceStatus::Partial | SourceStatus::Failed => true,
        }
    }

    /// The sentence the analyzer adds to [`Report::incomplete`] for a source that
    /// [blocks a pass](Self::blocks_pass), e.g. `required source ipc is unavailable (user
    /// build): … (profile gdpr requires it analysed)`.
    pub fn incomplete_sentence(&self, profile: &str) -> String {
        if self.required {
            format!(
                "required source {} is {} (profile {profile} requires it analysed)",
                self.source.as_str(),
                self.describe()
            )
        } else {
            format!("source {} is {}", self.source.as_str(), self.describe())
        }
    }

    /// `unavailable (user build): <detail>`, or `analysed`.
    pub fn describe(&self) -> String {
        let mut s = self.status.as_str().to_string();
        if let Some(r) = self.reason {
            s.push_str(&format!(" ({})", r.label()));
        }
        if let Some(d) = &self.detail {
            s.push_str(": ");
            s.push_str(d);
        }
        s
    }
}

/// One category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCheck {
    /// The category.
    pub category: DataCategory,
    /// Catalog signals watched: app-ops, binder calls, logcat patterns.
    pub signals: SignalCounts,
    /// Access events before consent.
    pub before_consent: u64,
    /// Access events at consent.
    pub at_consent: u64,
    /// Access events after consent.
    pub after_consent: u64,
    /// No violation-level finding names this category.
    pub clean: bool,
}

/// Catalog signals of a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalCounts {
    /// App-op names.
    pub appops: u64,
    /// Binder methods.
    pub binder: u64,
    /// logcat patterns.
    pub logcat: u64,
}

/// The manifest check as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityReport {
    /// A manifest was present.
    pub manifest_present: bool,
    /// Present and every file matched.
    pub intact: bool,
    /// Files whose hash differs.
    pub modified: Vec<String>,
    /// Files listed but absent.
    pub missing: Vec<String>,
    /// Files present but not listed.
    pub unlisted: Vec<String>,
    /// Entries that are not regular files (symbolic links, FIFOs, devices, sockets), as
    /// `path (what it is)`: never read, never followed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub irregular: Vec<String>,
    /// Values in the bundle that cannot be true of a recording (an implausible clock offset).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implausible: Vec<String>,
    /// The analysis went ahead despite a mismatch because the caller allowed it.
    pub analysed_despite_mismatch: bool,
}

/// One event of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Its phase.
    pub phase: Phase,
    /// The event.
    pub event: Event,
}
