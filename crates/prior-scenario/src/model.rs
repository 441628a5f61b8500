//! The validated scenario model: what [`crate::Scenario::load`] returns.

use prior_model::{DataCategory, Verdict};
use regex::Regex;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A 1-based line and column (columns count characters, not bytes) in a scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A compiled regular expression together with the text it was written as.
///
/// Matching is a *search* (unanchored) with Rust `regex` syntax; write `^…$` to match a whole
/// value and `(?i)` for case-insensitive matching.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    regex: Regex,
}

impl Pattern {
    /// Compiles `source` with the size limits used for scenario files.
    pub fn new(source: &str) -> Result<Pattern, regex::Error> {
        let regex = regex::RegexBuilder::new(source)
            .size_limit(1 << 20)
            .dfa_size_limit(1 << 20)
            .nest_limit(64)
            .build()?;
        Ok(Pattern {
            source: source.to_owned(),
            regex,
        })
    }

    /// The pattern as written (after `${VAR}` substitution).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The compiled regex.
    pub fn regex(&self) -> &Regex {
        &self.regex
    }

    /// Whether the pattern matches anywhere in `haystack`.
    pub fn is_match(&self, haystack: &str) -> bool {
        self.regex.is_match(haystack)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Pattern {}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Which UI element(s) a step or the consent settings mean, matched against the nodes of a
/// `uiautomator dump`.
///
/// A node matches when **every** given key matches it:
/// - `text`: the node's `text` **or** its `content-desc` (buttons drawn as images often carry
///   their label only in `content-desc`);
/// - `desc`: the node's `content-desc` only;
/// - `id`: the node's `resource-id` (e.g. `com.example:id/agree`).
///
/// At least one key is always present (validation guarantees it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// Pattern for `text` or `content-desc`.
    pub text: Option<Pattern>,
    /// Pattern for `content-desc`.
    pub desc: Option<Pattern>,
    /// Pattern for `resource-id`.
    pub id: Option<Pattern>,
    /// Where the selector was written; `None` for built-in defaults.
    pub at: Option<Pos>,
}

impl Selector {
    /// Whether a node with these attribute values matches (missing attributes are `""`).
    pub fn matches(&self, text: &str, desc: &str, resource_id: &str) -> bool {
        let text_ok = self
            .text
            .as_ref()
            .is_none_or(|p| p.is_match(text) || p.is_match(desc));
        let desc_ok = self.desc.as_ref().is_none_or(|p| p.is_match(desc));
        let id_ok = self.id.as_ref().is_none_or(|p| p.is_match(resource_id));
        text_ok
            && desc_ok
            && id_ok
            && (self.text.is_some() || self.desc.is_some() || self.id.is_some())
    }

    /// A selector on `text` only (no position), e.g. for defaults.
    pub fn text(pattern: Pattern) -> Selector {
        Selector {
            text: Some(pattern),
            desc: None,
            id: None,
            at: None,
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(p) = &self.text {
            parts.push(format!("text ~ /{p}/"));
        }
        if let Some(p) = &self.desc {
            parts.push(format!("desc ~ /{p}/"));
        }
        if let Some(p) = &self.id {
            parts.push(format!("id ~ /{p}/"));
        }
        f.write_str(&parts.join(" and "))
    }
}

/// The app under test (`app:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// `apk:` — the APK file, resolved against the scenario file's directory. Prior installs it
    /// fresh (uninstalling any previous copy) without granting any permission.
    pub apk: Option<PathBuf>,
    /// `package:` — the package name. Required when there is no `apk`; with an `apk`, it must
    /// equal the package read from the APK (the recorder checks).
    pub package: Option<String>,
    /// `activity:` — the activity to launch instead of the APK's launcher activity: `.Main`
    /// (relative to the package), `com.example.Main`, or `com.example/.Main`.
    pub activity: Option<String>,
}

/// Where to run (`device:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSpec {
    /// `device: any` (also when `device:` is omitted): the `--device` flag, else the only
    /// device the adb server lists in state `device`.
    Any,
    /// `device: { serial: emulator-5554 }`: this adb serial.
    Serial(String),
    /// `device: { avd: prior-api34 }`: boot this Android Virtual Device (or use it if running).
    Avd(String),
    /// `device: simulated` or `device: { simulated: { … } }`: Prior's simulated handset, started
    /// in-process.
    Simulated(SimulatedOptions),
}

/// Options of the simulated handset.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimulatedOptions {
    /// `models:` — directory of app behaviour models, resolved against the scenario file's
    /// directory; `None` = the handset's built-in models.
    pub models: Option<PathBuf>,
    /// `seed:` — seed for the handset's randomness (identifiers, jitter); `None` = fixed default.
    pub seed: Option<u64>,
}

/// Built-in rule profile names accepted by `profile:`.
pub const BUILTIN_PROFILES: &[&str] = &["cn-miit", "gdpr"];

/// The rule profile (`profile:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileRef {
    /// A built-in profile, one of [`BUILTIN_PROFILES`].
    Builtin(String),
    /// A profile file, resolved against the scenario file's directory.
    File(PathBuf),
}

/// How the consent screen is answered (`consent.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentMode {
    /// Prior taps the accept element (bracketed by logcat markers).
    Auto,
    /// The operator answers on the device; Prior watches the screen go away.
    Manual,
    /// Prior taps the reject element and keeps recording.
    Reject,
}

impl ConsentMode {
    /// The name as written in scenario files (`auto`, `manual`, `reject`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentMode::Auto => "auto",
            ConsentMode::Manual => "manual",
            ConsentMode::Reject => "reject",
        }
    }
}

impl fmt::Display for ConsentMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The consent screen and how to answer it (`consent:`). Every selector has a default that
/// covers Chinese, English, German, French and Spanish wording (see [`crate::wording`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// `mode:` (default `auto`).
    pub mode: ConsentMode,
    /// `timeout:` — how long to wait for the consent screen after launch (default 30 s). When
    /// it does not appear in time, the run records "no consent screen". In `manual` mode it
    /// also bounds the operator's answer, counted from the prompt (default 5 min there): an
    /// unanswered screen ends the session as incomplete with that reason.
    pub timeout: Duration,
    /// `screen:` — the screen is the consent screen when some node matches this.
    pub screen: Selector,
    /// `accept:` — the element that accepts.
    pub accept: Selector,
    /// `reject:` — the element that rejects.
    pub reject: Selector,
    /// `tick:` — a checkbox that must be ticked before accepting; it is ticked only when present
    /// on the consent screen and not yet checked. `None` (`tick: none`): Prior never ticks.
    pub tick: Option<Selector>,
}

/// What `wait_for` waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitTarget {
    /// `activity:` — the resumed activity: `.Main`, `com.x.Main` or `com.x/.Main`.
    Activity(String),
    /// `text` / `desc` / `id` — a UI element.
    Element(Selector),
}

/// One step of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `launch` — start the app (the first launch after a fresh install).
    Launch,
    /// `relaunch` — force-stop the app and launch it again.
    Relaunch,
    /// `wait: 10s` — keep recording for this long.
    Wait(Duration),
    /// `accept_consent` — wait for the consent screen (up to `consent.timeout`) and accept it
    /// (auto mode) or wait for the operator to answer (manual mode).
    AcceptConsent,
    /// `reject_consent` — wait for the consent screen and reject it (reject or manual mode).
    RejectConsent,
    /// `tap: { text | desc | id, timeout }` — wait for a matching element and tap its centre.
    Tap {
        /// The element.
        target: Selector,
        /// How long to wait for it (default 10 s).
        timeout: Duration,
    },
    /// `back` — press the Back key.
    Back,
    /// `screenshot: NAME` — save a screenshot as `NAME.png` in the bundle.
    Screenshot(String),
    /// `wait_for: { activity | text | desc | id, timeout }` — wait until it appears.
    WaitFor {
        /// What to wait for.
        target: WaitTarget,
        /// How long (default 10 s); the run fails with a step error when it runs out.
        timeout: Duration,
    },
}

impl Step {
    /// The step's keyword as written in scenario files.
    pub fn keyword(&self) -> &'static str {
        match self {
            Step::Launch => "launch",
            Step::Relaunch => "relaunch",
            Step::Wait(_) => "wait",
            Step::AcceptConsent => "accept_consent",
            Step::RejectConsent => "reject_consent",
            Step::Tap { .. } => "tap",
            Step::Back => "back",
            Step::Screenshot(_) => "screenshot",
            Step::WaitFor { .. } => "wait_for",
        }
    }
}

/// A step and where it was written (for progress output and the bundle's harness log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepAt {
    /// The step.
    pub step: Step,
    /// Its position in the scenario file.
    pub at: Pos,
}

pub use prior_model::expect::Date;

/// One accepted finding (`expect.allow[]`): findings it matches do not count against
/// `max_findings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    /// `rule:` — the finding's rule id (e.g. `pre-consent-access`).
    pub rule: Option<String>,
    /// `category:` — the finding's data category (e.g. `location`).
    pub category: Option<DataCategory>,
    /// `api:` — a pattern on the finding's API (e.g. `ILocationManager\.getLastLocation`).
    pub api: Option<Pattern>,
    /// `reason:` — why this is accepted (required).
    pub reason: String,
    /// `expires:` — the last day the entry applies; from the day after, it is ignored.
    pub expires: Option<Date>,
    /// Where the entry was written.
    pub at: Pos,
}

impl Allow {
    /// Whether the entry has expired on `today`.
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|e| today > e)
    }
}

/// Expectations for regression runs (`expect:`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expect {
    /// `max_findings:` — at most this many violations (findings above `info` severity that no
    /// `allow` entry covers). `None` = no limit from the scenario.
    pub max_findings: Option<u32>,
    /// `verdict:` — the verdict the run must have (`pass`, `fail`, `inconclusive`).
    pub verdict: Option<Verdict>,
    /// `allow:` — accepted findings.
    pub allow: Vec<Allow>,
}

impl Expect {
    /// The block as a bundle records it (`meta.json` `scenario.expect`), which the analyzer
    /// judges: patterns as written, positions dropped.
    pub fn record(&self) -> prior_model::expect::Expect {
        prior_model::expect::Expect {
            max_findings: self.max_findings,
            verdict: self.verdict,
            allow: self
                .allow
                .iter()
                .map(|a| prior_model::expect::Allow {
                    rule: a.rule.clone(),
                    category: a.category,
                    api: a.api.as_ref().map(|p| p.as_str().to_string()),
                    reason: a.reason.clone(),
                    expires: a.expires,
                })
                .collect(),
        }
    }
}

/// Something valid but probably not what the author meant; `prior check` prints these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioWarning {
    /// What is odd and what to do about it.
    pub message: String,
    /// Where.
    pub at: Pos,
}

/// `network:` — how the app's traffic is observed beyond the capture (issue 18).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    /// `intercept: mitmproxy` — run the app's HTTP(S) through Prior's mitmdump
    /// (docs/interception.md); `None` when absent or `none`.
    pub intercept: Option<Intercept>,
}

/// An interception proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intercept {
    /// mitmproxy's `mitmdump` with Prior's addon.
    Mitmproxy,
}

/// A loaded, validated scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The file it was loaded from, as given.
    pub path: PathBuf,
    /// The file's text, exactly as read (before `${VAR}` substitution); the bundle keeps a copy.
    pub source: String,
    /// `name:` — a one-line title (required).
    pub name: String,
    /// `description:` — free text.
    pub description: Option<String>,
    /// `app:` (required).
    pub app: App,
    /// `device:` (default [`DeviceSpec::Any`]).
    pub device: DeviceSpec,
    /// `profile:` (`None` = the CLI's default).
    pub profile: Option<ProfileRef>,
    /// `consent:` (every key has a default).
    pub consent: Consent,
    /// `steps:` (default: `launch`, then `accept_consent` / `reject_consent` per mode, then
    /// `wait: 10s`).
    pub steps: Vec<StepAt>,
    /// `expect:`.
    pub expect: Expect,
    /// `honey:`: before the first launch the recorder sets and reads known values on the
    /// device and keeps them in `raw/device/honey.json` (docs/interception.md, Honey data). `Some(false)`:
    /// nothing; `Some(true)`: everything, also a contact and a calendar entry on a physical
    /// phone; `None` (absent): everything on an emulator or the simulated handset, only reads
    /// on a physical device (Prior does not write to a phone's contacts unasked).
    pub honey: Option<bool>,
    /// `network:` (default: no interception).
    pub network: Network,
    /// Non-fatal remarks found while validating.
    pub warnings: Vec<ScenarioWarning>,
}

#[cfg(test)]
mod date_tests {
    use super::Date;

    fn date(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(Date::parse("2000-02-29"), Some(date(2000, 2, 29)));
        assert_eq!(Date::parse("1900-02-29"), None);
        assert_eq!(Date::parse("2023-04-31"), None);
        assert_eq!(Date::parse("2023-12-31"), Some(date(2023, 12, 31)));
        assert_eq!(Date::parse("2023-00-10"), None);
        assert_eq!(Date::parse("2023-01-00"), None);
        assert_eq!(Date::parse("+023-01-01"), None);
        // Year boundaries and times before the epoch.
        assert_eq!(Date::from_unix_seconds(1_735_689_599), date(2024, 12, 31));
        assert_eq!(Date::from_unix_seconds(1_735_689_600), date(2025, 1, 1));
        assert_eq!(Date::from_unix_seconds(-1), date(1969, 12, 31));
        assert_eq!(Date::from_unix_seconds(-2_203_891_200), date(1900, 3, 1));
        assert_eq!(Date::from_unix_seconds(-2_203_891_201), date(1900, 2, 28));
        // Out of any calendar: clamped, never a panic.
        assert!(Date::from_unix_seconds(i64::MAX).year > 200_000);
        assert!(Date::from_unix_seconds(i64::MIN).year < -200_000);
        assert!(Date::today_utc() > date(2025, 1, 1));
    }
}
