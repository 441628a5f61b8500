//! From a YAML tree to a validated [`Scenario`], collecting every problem with its place.

use crate::duration::parse_duration;
use crate::error::{ErrorKind, ScenarioError};
use crate::model::{
    Allow, App, BUILTIN_PROFILES, Consent, ConsentMode, Date, DeviceSpec, Expect, Intercept,
    Network, Pattern, Pos, ProfileRef, Scenario, ScenarioWarning, Selector, SimulatedOptions, Step,
    StepAt, WaitTarget,
};
use crate::vars::{SubstError, Vars, substitute};
use crate::yaml::{self, Key, Kind, Node};
use crate::{LoadOptions, wording};
use prior_model::{DataCategory, Verdict};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "app",
    "device",
    "profile",
    "consent",
    "steps",
    "expect",
    "honey",
    "network",
];
const APP_KEYS: &[&str] = &["apk", "package", "activity"];
const DEVICE_KEYS: &[&str] = &["serial", "avd", "simulated"];
const SIMULATED_KEYS: &[&str] = &["models", "seed"];
const CONSENT_KEYS: &[&str] = &["mode", "timeout", "screen", "accept", "reject", "tick"];
const SELECTOR_KEYS: &[&str] = &["text", "desc", "id"];
const TAP_KEYS: &[&str] = &["text", "desc", "id", "timeout"];
const WAIT_FOR_KEYS: &[&str] = &["activity", "text", "desc", "id", "timeout"];
const NETWORK_KEYS: &[&str] = &["intercept"];
const EXPECT_KEYS: &[&str] = &["max_findings", "verdict", "allow"];
const ALLOW_KEYS: &[&str] = &["rule", "category", "api", "reason", "expires"];
const BARE_STEPS: &[&str] = &[
    "launch",
    "relaunch",
    "back",
    "accept_consent",
    "reject_consent",
];
const ARG_STEPS: &[&str] = &["wait", "tap", "screenshot", "wait_for"];

const DEFAULT_CONSENT_TIMEOUT: Duration = Duration::from_secs(30);
/// `consent.timeout` in `manual` mode: a person has to notice the prompt and answer.
const DEFAULT_MANUAL_CONSENT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_FINAL_WAIT: Duration = Duration::from_secs(10);

/// Maestro command names people are likely to write, and what to use instead.
const MAESTRO_HINTS: &[(&str, &str)] = &[
    ("launchApp", "launch"),
    ("stopApp", "relaunch"),
    ("tapOn", "tap: { text: … }"),
    ("assertVisible", "wait_for: { text: … }"),
    ("extendedWaitUntil", "wait_for: { text: …, timeout: … }"),
    ("takeScreenshot", "screenshot: NAME"),
    ("pressKey", "back"),
    ("waitForAnimationToEnd", "wait: 1s"),
];

pub(crate) fn build(
    path: &Path,
    src: Arc<String>,
    vars: &Vars,
    options: LoadOptions,
) -> Result<Scenario, ScenarioError> {
    let root = match yaml::parse(&src) {
        Ok(n) => n,
        Err(e) => {
            let kind = if e.duplicate_key {
                ErrorKind::DuplicateKey
            } else {
                ErrorKind::Syntax
            };
            let help = if e.duplicate_key {
                "each key may appear once per mapping; remove or rename one of them"
            } else if e.message.contains("flow") {
                "a `{` or `[` opened before this point is not closed (or a `,` is missing between items)"
            } else {
                "fix the YAML syntax here (check indentation, quotes, and `key: value` spacing)"
            };
            let err = ScenarioError::new(kind, path, e.message).help(help);
            return Err(match e.pos {
                Some(p) => {
                    let off = yaml::byte_offset(&src, p);
                    err.at(&src, p, off, 1.min(src.len() - off))
                }
                None => err,
            });
        }
    };
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut cx = Cx {
        path,
        src: Arc::clone(&src),
        vars,
        base,
        check_files: options.check_files,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let scenario = cx.scenario(&root);
    if let (true, Some(s)) = (cx.errors.is_empty(), scenario) {
        return Ok(s);
    }
    let mut errors = cx.errors;
    errors.sort_by_key(|e| e.pos().unwrap_or_default());
    let mut iter = errors.into_iter();
    match iter.next() {
        Some(first) => Err(first.with_related(iter.collect())),
        None => Err(ScenarioError::new(
            ErrorKind::Syntax,
            path,
            "the scenario could not be read",
        )),
    }
}

struct Cx<'a> {
    path: &'a Path,
    src: Arc<String>,
    vars: &'a Vars,
    base: PathBuf,
    check_files: bool,
    errors: Vec<ScenarioError>,
    warnings: Vec<ScenarioWarning>,
}

/// The entries of a mapping, after unknown keys were reported.
struct Fields<'n> {
    node: &'n Node,
    entries: &'n [(Key, Node)],
}

impl<'n> Fields<'n> {
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }
}

impl Cx<'_> {
    // ---------------------------------------------------------------- reporting

    fn error(
        &mut self,
        kind: ErrorKind,
        pos: Pos,
        offset: usize,
        len: usize,
        message: String,
        help: String,
    ) {
        let e = ScenarioError::new(kind, self.path, message)
            .help(help)
            .at(&self.src, pos, offset, len);
        self.errors.push(e);
    }

    fn at_node(
        &mut self,
        kind: ErrorKind,
        node: &Node,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.error(
            kind,
            node.pos,
            node.offset,
            node.len,
            message.into(),
            help.into(),
        );
    }

    fn at_key(
        &mut self,
        kind: ErrorKind,
        key: &Key,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.error(
            kind,
            key.pos,
            key.offset,
            key.len,
            message.into(),
            help.into(),
        );
    }

    fn warn(&mut self, pos: Pos, message: impl Into<String>) {
        self.warnings.push(ScenarioWarning {
            message: message.into(),
            at: pos,
        });
    }

    // ---------------------------------------------------------------- shapes

    /// A mapping whose keys must be among `allowed`; unknown keys are reported.
    fn fields<'n>(&mut self, node: &'n Node, what: &str, allowed: &[&str]) -> Option<Fields<'n>> {
        let Kind::Map(entries) = &node.kind else {
            let example = match what {
                "app" => "app: { apk: apps/my.apk }",
                "consent" => "consent: { mode: auto }",
                "expect" => "expect: { max_findings: 0 }",
                "the scenario" => "name: My app — first launch",
                _ => "key: value",
            };
            self.at_node(
                ErrorKind::WrongType,
                node,
                format!("{what} must be a mapping, found {}", node.kind.describe()),
                format!("write it as `key: value` pairs, e.g. `{example}`"),
            );
            return None;
        };
        for (k, _) in entries {
            if !allowed.contains(&k.name.as_str()) {
                let help = match suggest(&k.name, allowed) {
                    Some(s) => format!(
                        "did you mean `{s}`? Allowed keys here: {}",
                        allowed.join(", ")
                    ),
                    None => format!("allowed keys here: {}", allowed.join(", ")),
                };
                self.at_key(
                    ErrorKind::UnknownKey,
                    k,
                    format!("unknown key `{}` in {what}", k.name),
                    help,
                );
            }
        }
        Some(Fields { node, entries })
    }

    /// A single value with `${VAR}` substituted.
    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        let raw = match &node.kind {
            Kind::Scalar(s) => s,
            other => {
                self.at_node(
                    ErrorKind::WrongType,
                    node,
                    format!("{what} must be a single value, found {}", other.describe()),
                    format!("write `{what}: VALUE`"),
                );
                return None;
            }
        };
        match substitute(raw, self.vars) {
            Ok(s) => Some(s),
            Err(e) => {
                self.subst_error(node, e);
                None
            }
        }
    }

    /// A non-empty single value.
    fn nonempty(&mut self, node: &Node, what: &str) -> Option<String> {
        let s = self.string(node, what)?;
        if s.trim().is_empty() {
            self.at_node(
                ErrorKind::InvalidValue,
                node,
                format!("{what} is empty"),
                format!("give {what} a value"),
            );
            return None;
        }
        Some(s)
    }

    fn subst_error(&mut self, node: &Node, e: SubstError) {
        let slice = self
            .src
            .get(node.offset..node.offset + node.len)
            .unwrap_or("");
        let (needle, kind, message, help) = match e {
            SubstError::Undefined { name, .. } => (
                format!("${{{name}"),
                ErrorKind::UndefinedVariable,
                format!("undefined variable `{name}`"),
                format!("pass `-e {name}=VALUE`, or write `${{{name}:-default}}`; write `$${{` for a literal `${{`"),
            ),
            SubstError::Unterminated { .. } => (
                "${".to_owned(),
                ErrorKind::VariableSyntax,
                "`${` without a closing `}`".to_owned(),
                "close the variable as `${NAME}`, or write `$${` for a literal `${`".to_owned(),
            ),
            SubstError::BadName { name, .. } => (
                format!("${{{name}"),
                ErrorKind::VariableSyntax,
                format!("`{name}` is not a variable name"),
                "variable names are letters, digits and `_`, not starting with a digit: `${APK_PATH}`".to_owned(),
            ),
        };
        let (offset, len) = match slice.find(&needle) {
            Some(i) => (node.offset + i, needle.len() + 1),
            None => (node.offset, node.len),
        };
        let pos = yaml::pos_of(&self.src, offset);
        self.error(
            kind,
            pos,
            offset,
            len.min(self.src.len() - offset),
            message,
            help,
        );
    }

    fn duration(&mut self, node: &Node, what: &str) -> Option<Duration> {
        let s = self.string(node, what)?;
        match parse_duration(&s) {
            Ok(d) => Some(d),
            Err(why) => {
                self.at_node(
                    ErrorKind::Duration,
                    node,
                    format!("invalid duration for {what}: {why}"),
                    "write an integer and a unit (ms, s, m, h), e.g. `10s`, `500ms`, `2m`, `1m30s`",
                );
                None
            }
        }
    }

    fn pattern(&mut self, node: &Node, what: &str) -> Option<Pattern> {
        let s = self.string(node, what)?;
        if s.is_empty() {
            self.at_node(
                ErrorKind::Regex,
                node,
                format!("{what} is an empty pattern"),
                "an empty pattern matches everything; write the text to look for, e.g. `^Agree$`",
            );
            return None;
        }
        match Pattern::new(&s) {
            Ok(p) => Some(p),
            Err(e) => {
                let why = match &e {
                    regex::Error::Syntax(text) => text
                        .lines()
                        .rev()
                        .find_map(|l| l.strip_prefix("error: "))
                        .unwrap_or("syntax error")
                        .to_owned(),
                    regex::Error::CompiledTooBig(_) => "the pattern is too large".to_owned(),
                    _ => e.to_string(),
                };
                self.at_node(
                    ErrorKind::Regex,
                    node,
                    format!("invalid regex for {what}: {why}"),
                    "patterns use Rust regex syntax (https://docs.rs/regex); escape special characters such as `(`, `[`, `.`, `?` with `\\` to match them literally",
                );
                None
            }
        }
    }

    fn path_value(&mut self, node: &Node, what: &str, label: &str) -> Option<PathBuf> {
        let s = self.nonempty(node, what)?;
        let p = Path::new(&s);
        let resolved = if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        };
        if self.check_files && !resolved.exists() {
            self.at_node(
                ErrorKind::FileNotFound,
                node,
                format!("{label} `{s}` not found (looked at `{}`)", resolved.display()),
                "paths are relative to the scenario file's directory; fix the path or create the file",
            );
            return None;
        }
        Some(resolved)
    }

    // ---------------------------------------------------------------- sections

    fn scenario(&mut self, root: &Node) -> Option<Scenario> {
        if matches!(root.kind, Kind::Null) {
            let start = Node {
                kind: Kind::Null,
                pos: Pos { line: 1, column: 1 },
                offset: 0,
                len: 0,
            };
            self.at_node(
                ErrorKind::MissingKey,
                &start,
                "the file is empty",
                "a scenario needs at least `name:` and `app:`; see docs/scenarios.md",
            );
            return None;
        }
        let top = self.fields(root, "the scenario", TOP_KEYS)?;

        let name = match top.get("name") {
            Some(n) => self.nonempty(n, "name").and_then(|s| {
                if s.contains('\n') {
                    self.at_node(
                        ErrorKind::InvalidValue,
                        n,
                        "name must be one line",
                        "move details to `description:`",
                    );
                    None
                } else {
                    Some(s.trim().to_owned())
                }
            }),
            None => {
                self.missing(
                    root,
                    "name",
                    "add `name: My app — first launch` (a one-line title)",
                );
                None
            }
        };
        let description = top
            .get("description")
            .and_then(|n| self.string(n, "description"));
        let app = match top.get("app") {
            Some(n) => self.app(n),
            None => {
                self.missing(
                    root,
                    "app",
                    "add `app: { apk: path/to/app.apk }` or `app: { package: com.example }`",
                );
                None
            }
        };
        let device = top
            .get("device")
            .map_or(Some(DeviceSpec::Any), |n| self.device(n));
        let profile = match top.get("profile") {
            Some(n) => self.profile(n).map(Some),
            None => Some(None),
        };
        let consent = match top.get("consent") {
            Some(n) => self.consent(n),
            None => Some(default_consent(ConsentMode::Auto, DEFAULT_CONSENT_TIMEOUT)),
        };
        let mode = consent.as_ref().map(|c| c.mode);
        let steps = match top.get("steps") {
            Some(n) => self.steps(n, mode),
            None => Some(default_steps(mode.unwrap_or(ConsentMode::Auto), root.pos)),
        };
        let expect = top
            .get("expect")
            .map_or(Some(Expect::default()), |n| self.expect(n));
        let honey = match top.get("honey") {
            Some(n) => self.honey(n).map(Some),
            None => Some(None),
        };
        let network = top
            .get("network")
            .map_or(Some(Network::default()), |n| self.network(n));
        let _ = top.node;

        Some(Scenario {
            path: self.path.to_path_buf(),
            source: self.src.as_str().to_owned(),
            name: name?,
            description,
            app: app?,
            device: device?,
            profile: profile?,
            consent: consent?,
            steps: steps?,
            expect: expect?,
            honey: honey?,
            network: network?,
            warnings: std::mem::take(&mut self.warnings),
        })
    }

    /// `honey: true|false`: set and read honey data before the first launch (absent: the
    /// recorder decides by device, see [`Scenario::honey`]).
    fn honey(&mut self, node: &Node) -> Option<bool> {
        let s = self.string(node, "honey")?;
        match s.trim() {
            "true" => Some(true),
            "false" => Some(false),
            other => {
                self.at_node(
                    ErrorKind::InvalidValue,
                    node,
                    format!("honey must be true or false, found `{other}`"),
                    "write `honey: false` to leave the device's data as it is (docs/interception.md, Honey data)",
                );
                None
            }
        }
    }

    fn missing(&mut self, parent: &Node, key: &str, help: &str) {
        self.error(
            ErrorKind::MissingKey,
            parent.pos,
            parent.offset,
            0,
            format!("missing key `{key}`"),
            help.to_owned(),
        );
    }

    fn app(&mut self, node: &Node) -> Option<App> {
        let f = self.fields(node, "app", APP_KEYS)?;
        let mut ok = true;
        let apk = match f.get("apk") {
            Some(n) => {
                let p = self.path_value(n, "app.apk", "APK file");
                ok &= p.is_some();
                p
            }
            None => None,
        };
        let package = match f.get("package") {
            Some(n) => match self.nonempty(n, "app.package") {
                Some(s) if is_package_name(&s) => Some(s),
                Some(s) => {
                    self.at_node(
                        ErrorKind::InvalidValue,
                        n,
                        format!("`{s}` is not a package name"),
                        "a package name is dot-separated segments of letters, digits and `_`, each starting with a letter, e.g. `com.example.shop`",
                    );
                    ok = false;
                    None
                }
                None => {
                    ok = false;
                    None
                }
            },
            None => None,
        };
        let activity = match f.get("activity") {
            Some(n) => match self.nonempty(n, "app.activity") {
                Some(s) if is_activity(&s) => Some(s),
                Some(s) => {
                    self.at_node(
                        ErrorKind::InvalidValue,
                        n,
                        format!("`{s}` is not an activity name"),
                        "write `.MainActivity` (relative to the package), `com.example.MainActivity`, or `com.example/.MainActivity`",
                    );
                    ok = false;
                    None
                }
                None => {
                    ok = false;
                    None
                }
            },
            None => None,
        };
        if f.get("apk").is_none() && f.get("package").is_none() {
            self.missing(
                node,
                "apk",
                "say which app: `app: { apk: path/to/app.apk }` or `app: { package: com.example }`",
            );
            return None;
        }
        ok.then_some(App {
            apk,
            package,
            activity,
        })
    }

    fn device(&mut self, node: &Node) -> Option<DeviceSpec> {
        if let Kind::Scalar(_) = node.kind {
            let s = self.string(node, "device")?;
            return match s.as_str() {
                "any" => Some(DeviceSpec::Any),
                "simulated" => Some(DeviceSpec::Simulated(SimulatedOptions::default())),
                other => {
                    let help = if other.starts_with("emulator-") || other.contains(':') {
                        format!("for an adb serial write `device: {{ serial: {other} }}`")
                    } else {
                        "write `any`, `simulated`, `{ serial: SERIAL }`, `{ avd: NAME }` or `{ simulated: { models: DIR, seed: N } }`".to_owned()
                    };
                    self.at_node(
                        ErrorKind::InvalidValue,
                        node,
                        format!("unknown device `{other}`"),
                        help,
                    );
                    None
                }
            };
        }
        let f = self.fields(node, "device", DEVICE_KEYS)?;
        if f.entries.len() != 1 {
            self.at_node(
                ErrorKind::InvalidValue,
                node,
                "device must name exactly one of serial, avd, simulated",
                "write e.g. `device: { serial: emulator-5554 }`",
            );
            return None;
        }
        let (key, value) = &f.entries[0];
        match key.name.as_str() {
            "serial" => {
                let s = self.nonempty(value, "device.serial")?;
                if s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._:-[]@".contains(c))
                {
                    Some(DeviceSpec::Serial(s))
                } else {
                    self.at_node(ErrorKind::InvalidValue, value, format!("`{s}` is not an adb serial"), "use the serial as `adb devices` prints it, e.g. `emulator-5554` or `127.0.0.1:5555`");
                    None
                }
            }
            "avd" => {
                let s = self.nonempty(value, "device.avd")?;
                if s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                {
                    Some(DeviceSpec::Avd(s))
                } else {
                    self.at_node(ErrorKind::InvalidValue, value, format!("`{s}` is not an AVD name"), "AVD names are letters, digits, `.`, `_` and `-` (see `emulator -list-avds`)");
                    None
                }
            }
            "simulated" => {
                if matches!(value.kind, Kind::Null) {
                    return Some(DeviceSpec::Simulated(SimulatedOptions::default()));
                }
                let sf = self.fields(value, "device.simulated", SIMULATED_KEYS)?;
                let models = match sf.get("models") {
                    Some(n) => {
                        Some(self.path_value(n, "device.simulated.models", "models directory")?)
                    }
                    None => None,
                };
                let seed = match sf.get("seed") {
                    Some(n) => {
                        let s = self.string(n, "device.simulated.seed")?;
                        match s.parse::<u64>() {
                            Ok(v) => Some(v),
                            Err(_) => {
                                self.at_node(
                                    ErrorKind::InvalidValue,
                                    n,
                                    format!("seed `{s}` is not an unsigned integer"),
                                    "write e.g. `seed: 1`",
                                );
                                return None;
                            }
                        }
                    }
                    None => None,
                };
                Some(DeviceSpec::Simulated(SimulatedOptions { models, seed }))
            }
            _ => None, // reported as an unknown key by `fields`
        }
    }

    fn profile(&mut self, node: &Node) -> Option<ProfileRef> {
        let s = self.nonempty(node, "profile")?;
        if BUILTIN_PROFILES.contains(&s.as_str()) {
            return Some(ProfileRef::Builtin(s));
        }
        let looks_like_path = s.contains('/')
            || [".toml", ".yaml", ".yml", ".json"]
                .iter()
                .any(|ext| s.ends_with(ext));
        if looks_like_path {
            return self
                .path_value(node, "profile", "profile file")
                .map(ProfileRef::File);
        }
        let help = match suggest(&s, BUILTIN_PROFILES) {
            Some(x) => format!(
                "did you mean `{x}`? Built-in profiles: {}; or give a path to a profile file",
                BUILTIN_PROFILES.join(", ")
            ),
            None => format!(
                "built-in profiles: {}; or give a path to a profile file (containing `/` or ending in .toml/.yaml/.json)",
                BUILTIN_PROFILES.join(", ")
            ),
        };
        self.at_node(
            ErrorKind::InvalidValue,
            node,
            format!("unknown profile `{s}`"),
            help,
        );
        None
    }

    /// `network: { intercept: mitmproxy }` (issue 18, docs/interception.md).
    fn network(&mut self, node: &Node) -> Option<Network> {
        if matches!(node.kind, Kind::Null) {
            return Some(Network::default());
        }
        let f = self.fields(node, "network", NETWORK_KEYS)?;
        let intercept = match f.get("intercept") {
            None => None,
            Some(n) => match self.string(n, "network.intercept").as_deref() {
                Some("mitmproxy") => Some(Intercept::Mitmproxy),
                Some("none") => None,
                Some(other) => {
                    self.at_node(
                        ErrorKind::InvalidValue,
                        n,
                        format!("unknown interception `{other}`"),
                        "use `intercept: mitmproxy` (or `none`)".to_owned(),
                    );
                    return None;
                }
                None => return None,
            },
        };
        Some(Network { intercept })
    }

    fn consent(&mut self, node: &Node) -> Option<Consent> {
        if matches!(node.kind, Kind::Null) {
            return Some(default_consent(ConsentMode::Auto, DEFAULT_CONSENT_TIMEOUT));
        }
        let f = self.fields(node, "consent", CONSENT_KEYS)?;
        let mut ok = true;
        let mode = match f.get("mode") {
            Some(n) => match self.string(n, "consent.mode").as_deref() {
                Some("auto") => ConsentMode::Auto,
                Some("manual") => ConsentMode::Manual,
                Some("reject") => ConsentMode::Reject,
                Some(other) => {
                    let help = match suggest(other, &["auto", "manual", "reject"]) {
                        Some(s) => format!("did you mean `{s}`? Use one of auto, manual, reject"),
                        None => "use one of auto (Prior accepts), manual (the operator answers), reject (Prior rejects)".to_owned(),
                    };
                    self.at_node(
                        ErrorKind::InvalidValue,
                        n,
                        format!("unknown consent mode `{other}`"),
                        help,
                    );
                    ok = false;
                    ConsentMode::Auto
                }
                None => {
                    ok = false;
                    ConsentMode::Auto
                }
            },
            None => ConsentMode::Auto,
        };
        let timeout = match f.get("timeout") {
            Some(n) => self.duration(n, "consent.timeout").unwrap_or_else(|| {
                ok = false;
                DEFAULT_CONSENT_TIMEOUT
            }),
            None if mode == ConsentMode::Manual => DEFAULT_MANUAL_CONSENT_TIMEOUT,
            None => DEFAULT_CONSENT_TIMEOUT,
        };
        let mut c = default_consent(mode, timeout);
        // `tick: none`: never tick anything (to see what the app does with an unticked box).
        if let Some(n) = f.get("tick")
            && matches!(&n.kind, Kind::Scalar(v) if v == "none")
        {
            c.tick = None;
        } else if let Some(n) = f.get("tick") {
            match self.selector(n, "consent.tick", SELECTOR_KEYS) {
                Some(s) => c.tick = Some(s),
                None => ok = false,
            }
        }
        for (key, slot) in [
            ("screen", &mut c.screen),
            ("accept", &mut c.accept),
            ("reject", &mut c.reject),
        ] {
            if let Some(n) = f.get(key) {
                match self.selector(n, &format!("consent.{key}"), SELECTOR_KEYS) {
                    Some(s) => *slot = s,
                    None => ok = false,
                }
            }
        }
        ok.then_some(c)
    }

    /// A selector mapping; keys beyond text/desc/id (e.g. `timeout`) are the caller's.
    fn selector(&mut self, node: &Node, what: &str, allowed: &[&str]) -> Option<Selector> {
        let f = self.fields(node, what, allowed)?;
        let mut ok = true;
        let mut one = |cx: &mut Self, key: &str| -> Option<Pattern> {
            let n = f.get(key)?;
            let p = cx.pattern(n, &format!("{what}.{key}"));
            ok &= p.is_some();
            p
        };
        let text = one(self, "text");
        let desc = one(self, "desc");
        let id = one(self, "id");
        if f.get("text").is_none() && f.get("desc").is_none() && f.get("id").is_none() {
            self.missing(node, "text", &format!("{what} needs at least one of `text`, `desc`, `id`, e.g. `{{ text: \"^Agree$\" }}`"));
            return None;
        }
        ok.then_some(Selector {
            text,
            desc,
            id,
            at: Some(node.pos),
        })
    }

    fn steps(&mut self, node: &Node, mode: Option<ConsentMode>) -> Option<Vec<StepAt>> {
        let Kind::Seq(items) = &node.kind else {
            self.at_node(
                ErrorKind::WrongType,
                node,
                format!("steps must be a list, found {}", node.kind.describe()),
                "write one step per line, each starting with `- `, e.g. `steps:\\n  - launch\\n  - wait: 10s`",
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            match self.step(item) {
                Some(s) => out.push(StepAt {
                    step: s,
                    at: item.pos,
                }),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        self.check_order(node, &out, mode).then_some(out)
    }

    fn step(&mut self, item: &Node) -> Option<Step> {
        match &item.kind {
            Kind::Scalar(_) => {
                let word = self.string(item, "step")?;
                let word = word.trim();
                match word {
                    "launch" => Some(Step::Launch),
                    "relaunch" => Some(Step::Relaunch),
                    "back" => Some(Step::Back),
                    "accept_consent" => Some(Step::AcceptConsent),
                    "reject_consent" => Some(Step::RejectConsent),
                    w if ARG_STEPS.contains(&w) => {
                        let example = match w {
                            "wait" => "- wait: 10s",
                            "tap" => "- tap: { text: \"^OK$\" }",
                            "screenshot" => "- screenshot: home",
                            _ => "- wait_for: { activity: .MainActivity }",
                        };
                        self.at_node(
                            ErrorKind::InvalidValue,
                            item,
                            format!("step `{w}` needs a value"),
                            format!("write `{example}`"),
                        );
                        None
                    }
                    w => {
                        self.unknown_step(item, w);
                        None
                    }
                }
            }
            Kind::Map(entries) => {
                if entries.len() != 1 {
                    let (k, _) = entries.get(1).unwrap_or(&entries[0]);
                    self.at_key(
                        ErrorKind::InvalidValue,
                        k,
                        "one list item holds more than one step",
                        "start every step with its own `- `; options belong inside the step's mapping, e.g. `- tap: { text: OK, timeout: 5s }`",
                    );
                    return None;
                }
                let (key, value) = &entries[0];
                match key.name.as_str() {
                    "wait" => self.duration(value, "wait").map(Step::Wait),
                    "screenshot" => {
                        let name = self.nonempty(value, "screenshot")?;
                        if is_file_stem(&name) {
                            Some(Step::Screenshot(name))
                        } else {
                            self.at_node(
                                ErrorKind::InvalidValue,
                                value,
                                format!("`{name}` is not a screenshot name"),
                                "use letters, digits, `_`, `-` and `.` (no `/`, no `..`, at most 64 characters), e.g. `after-consent`",
                            );
                            None
                        }
                    }
                    "tap" => {
                        let target = self.selector(value, "tap", TAP_KEYS)?;
                        let timeout = self.step_timeout(value, "tap")?;
                        Some(Step::Tap { target, timeout })
                    }
                    "wait_for" => self.wait_for(value),
                    w if BARE_STEPS.contains(&w) => {
                        self.at_key(
                            ErrorKind::InvalidValue,
                            key,
                            format!("step `{w}` takes no value"),
                            format!("write `- {w}`"),
                        );
                        None
                    }
                    w => {
                        let w = w.to_owned();
                        let k = Node {
                            kind: Kind::Null,
                            pos: key.pos,
                            offset: key.offset,
                            len: key.len,
                        };
                        self.unknown_step(&k, &w);
                        None
                    }
                }
            }
            other => {
                self.at_node(
                    ErrorKind::WrongType,
                    item,
                    format!(
                        "a step must be a keyword or a `keyword: value` pair, found {}",
                        other.describe()
                    ),
                    "e.g. `- launch` or `- wait: 10s`",
                );
                None
            }
        }
    }

    fn unknown_step(&mut self, at: &Node, word: &str) {
        let all: Vec<&str> = BARE_STEPS.iter().chain(ARG_STEPS).copied().collect();
        let first = word.split_whitespace().next().unwrap_or(word);
        let help = if let Some((_, instead)) = MAESTRO_HINTS.iter().find(|(m, _)| *m == first) {
            format!("`{first}` is Maestro's; in Prior write `{instead}`")
        } else if first != word && ARG_STEPS.contains(&first) {
            format!(
                "put a colon after the keyword: `{first}: {}`",
                word[first.len()..].trim()
            )
        } else if let Some(s) = suggest(first, &all) {
            format!("did you mean `{s}`? Steps: {}", all.join(", "))
        } else {
            format!("steps: {}", all.join(", "))
        };
        self.at_node(
            ErrorKind::InvalidValue,
            at,
            format!("unknown step `{word}`"),
            help,
        );
    }

    fn step_timeout(&mut self, value: &Node, what: &str) -> Option<Duration> {
        let Kind::Map(entries) = &value.kind else {
            return Some(DEFAULT_STEP_TIMEOUT);
        };
        match entries.iter().find(|(k, _)| k.name == "timeout") {
            Some((_, n)) => self.duration(n, &format!("{what}.timeout")),
            None => Some(DEFAULT_STEP_TIMEOUT),
        }
    }

    fn wait_for(&mut self, value: &Node) -> Option<Step> {
        let f = self.fields(value, "wait_for", WAIT_FOR_KEYS)?;
        let timeout = self.step_timeout(value, "wait_for")?;
        let has_element = ["text", "desc", "id"].iter().any(|k| f.get(k).is_some());
        match (f.get("activity"), has_element) {
            (Some(a), false) => {
                let s = self.nonempty(a, "wait_for.activity")?;
                if is_activity(&s) {
                    Some(Step::WaitFor {
                        target: WaitTarget::Activity(s),
                        timeout,
                    })
                } else {
                    self.at_node(ErrorKind::InvalidValue, a, format!("`{s}` is not an activity name"), "write `.MainActivity`, `com.example.MainActivity`, or `com.example/.MainActivity`");
                    None
                }
            }
            (Some(a), true) => {
                self.at_node(
                    ErrorKind::InvalidValue,
                    a,
                    "wait_for takes either `activity` or an element (`text`/`desc`/`id`), not both",
                    "split it into two `wait_for` steps",
                );
                None
            }
            (None, _) => {
                let sel = self.selector(value, "wait_for", WAIT_FOR_KEYS)?;
                Some(Step::WaitFor {
                    target: WaitTarget::Element(sel),
                    timeout,
                })
            }
        }
    }

    fn check_order(&mut self, list: &Node, steps: &[StepAt], mode: Option<ConsentMode>) -> bool {
        let before = self.errors.len();
        let launches: Vec<&StepAt> = steps.iter().filter(|s| s.step == Step::Launch).collect();
        match launches.as_slice() {
            [] => self.error(
                ErrorKind::Steps,
                list.pos,
                list.offset,
                0,
                "the steps never `launch` the app".to_owned(),
                "add `- launch` as the first step (only `wait` and `screenshot` may come before it)".to_owned(),
            ),
            [_] => {}
            [_, second, ..] => {
                let at = second.at;
                let off = yaml::byte_offset(&self.src, at);
                self.error(ErrorKind::Steps, at, off, 6, "`launch` appears more than once".to_owned(), "launch once; use `relaunch` to start the app again".to_owned());
            }
        }
        let mut launched = false;
        let mut consent_step: Option<Pos> = None;
        let mut shots: Vec<(&str, Pos)> = Vec::new();
        for s in steps {
            let off = yaml::byte_offset(&self.src, s.at);
            let kw = s.step.keyword();
            if let Step::Screenshot(name) = &s.step {
                match shots.iter().find(|(n, _)| n == name) {
                    Some((_, first)) => {
                        let first = first.line;
                        self.error(ErrorKind::Steps, s.at, off, kw.len(), format!("screenshot name `{name}` is already used at line {first}"), "give every screenshot its own name; a second one would overwrite the first".to_owned());
                    }
                    None => shots.push((name, s.at)),
                }
            }
            match &s.step {
                Step::Launch => launched = true,
                Step::Wait(_) | Step::Screenshot(_) => {}
                _ if !launched && !launches.is_empty() => {
                    self.error(ErrorKind::Steps, s.at, off, kw.len(), format!("`{kw}` comes before `launch`"), "move `- launch` above this step; only `wait` and `screenshot` may come before it".to_owned());
                }
                _ => {}
            }
            if matches!(s.step, Step::AcceptConsent | Step::RejectConsent) {
                if let Some(first) = consent_step {
                    self.error(
                        ErrorKind::Steps,
                        s.at,
                        off,
                        kw.len(),
                        format!(
                            "a second consent step (the first is at line {})",
                            first.line
                        ),
                        "keep one `accept_consent` or `reject_consent`".to_owned(),
                    );
                }
                consent_step.get_or_insert(s.at);
                match (mode, &s.step) {
                    (Some(ConsentMode::Reject), Step::AcceptConsent) => self.error(
                        ErrorKind::ConsentMode,
                        s.at,
                        off,
                        kw.len(),
                        "`accept_consent` is not allowed in `reject` mode".to_owned(),
                        "use `- reject_consent`, or set `consent: { mode: auto }` to accept".to_owned(),
                    ),
                    (Some(ConsentMode::Auto), Step::RejectConsent) => self.error(
                        ErrorKind::ConsentMode,
                        s.at,
                        off,
                        kw.len(),
                        "`reject_consent` is not allowed in `auto` mode".to_owned(),
                        "set `consent: { mode: reject }` to reject (auto mode accepts), or use `- accept_consent`".to_owned(),
                    ),
                    _ => {}
                }
            }
        }
        if consent_step.is_none() && !launches.is_empty() {
            self.warn(list.pos, "no `accept_consent` or `reject_consent` step: the consent screen is never answered, so everything the app does counts as before consent");
        }
        self.errors.len() == before
    }

    fn expect(&mut self, node: &Node) -> Option<Expect> {
        if matches!(node.kind, Kind::Null) {
            return Some(Expect::default());
        }
        let f = self.fields(node, "expect", EXPECT_KEYS)?;
        let mut ok = true;
        let max_findings = match f.get("max_findings") {
            Some(n) => match self.string(n, "expect.max_findings") {
                Some(s) => match s.trim().parse::<u32>() {
                    Ok(v) => Some(v),
                    Err(_) => {
                        self.at_node(
                            ErrorKind::InvalidValue,
                            n,
                            format!("max_findings `{s}` is not a whole number ≥ 0"),
                            "write e.g. `max_findings: 0`",
                        );
                        ok = false;
                        None
                    }
                },
                None => {
                    ok = false;
                    None
                }
            },
            None => None,
        };
        let verdict = match f.get("verdict") {
            Some(n) => match self.string(n, "expect.verdict").as_deref() {
                Some("pass") => Some(Verdict::Pass),
                Some("fail") => Some(Verdict::Fail),
                Some("inconclusive") => Some(Verdict::Inconclusive),
                Some(other) => {
                    self.at_node(
                        ErrorKind::InvalidValue,
                        n,
                        format!("unknown verdict `{other}`"),
                        "use one of pass, fail, inconclusive",
                    );
                    ok = false;
                    None
                }
                None => {
                    ok = false;
                    None
                }
            },
            None => None,
        };
        let mut allow = Vec::new();
        if let Some(n) = f.get("allow") {
            match &n.kind {
                Kind::Seq(items) => {
                    for item in items {
                        match self.allow(item) {
                            Some(a) => allow.push(a),
                            None => ok = false,
                        }
                    }
                }
                Kind::Null => {}
                other => {
                    self.at_node(
                        ErrorKind::WrongType,
                        n,
                        format!("expect.allow must be a list, found {}", other.describe()),
                        "write `allow:` followed by `- { rule: …, category: …, reason: … }` items",
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(Expect {
            max_findings,
            verdict,
            allow,
        })
    }

    fn allow(&mut self, node: &Node) -> Option<Allow> {
        let f = self.fields(node, "expect.allow entry", ALLOW_KEYS)?;
        let mut ok = true;
        let rule = match f.get("rule") {
            Some(n) => match self.nonempty(n, "allow.rule") {
                Some(s)
                    if s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)) =>
                {
                    Some(s)
                }
                Some(s) => {
                    self.at_node(ErrorKind::InvalidValue, n, format!("`{s}` is not a rule id"), "rule ids are like `pre-consent-access` (letters, digits, `-`, `_`, `.`, `:`)");
                    ok = false;
                    None
                }
                None => {
                    ok = false;
                    None
                }
            },
            None => None,
        };
        let category = match f.get("category") {
            Some(n) => match self.nonempty(n, "allow.category") {
                Some(s) => match DataCategory::from_name(&s) {
                    Some(c) => Some(c),
                    None => {
                        let names: Vec<&str> =
                            DataCategory::ALL.iter().map(|c| c.as_str()).collect();
                        let help = match suggest(&s, &names) {
                            Some(x) => {
                                format!("did you mean `{x}`? Categories: {}", names.join(", "))
                            }
                            None => format!("categories: {}", names.join(", ")),
                        };
                        self.at_node(
                            ErrorKind::InvalidValue,
                            n,
                            format!("unknown data category `{s}`"),
                            help,
                        );
                        ok = false;
                        None
                    }
                },
                None => {
                    ok = false;
                    None
                }
            },
            None => None,
        };
        let api = match f.get("api") {
            Some(n) => {
                let p = self.pattern(n, "allow.api");
                ok &= p.is_some();
                p
            }
            None => None,
        };
        let reason = match f.get("reason") {
            Some(n) => self.nonempty(n, "allow.reason"),
            None => {
                self.missing(node, "reason", "say why this finding is accepted, e.g. `reason: \"store locator, ticket JIRA-12\"`");
                None
            }
        };
        let expires = match f.get("expires") {
            Some(n) => match self.string(n, "allow.expires") {
                Some(s) => match Date::parse(s.trim()) {
                    Some(d) => {
                        if d < Date::today_utc() {
                            self.warn(
                                n.pos,
                                format!("this allow entry expired on {d} and no longer applies"),
                            );
                        }
                        Some(d)
                    }
                    None => {
                        self.at_node(ErrorKind::InvalidValue, n, format!("`{s}` is not a date"), "write the last day the entry applies as YYYY-MM-DD, e.g. `expires: 2027-01-31`");
                        ok = false;
                        None
                    }
                },
                None => {
                    ok = false;
                    None
                }
            },
            None => None,
        };
        if f.get("rule").is_none() && f.get("category").is_none() && f.get("api").is_none() {
            self.missing(node, "rule", "an allow entry needs at least one of `rule`, `category`, `api` to say which findings it covers");
            return None;
        }
        let reason = reason?;
        ok.then_some(Allow {
            rule,
            category,
            api,
            reason,
            expires,
            at: node.pos,
        })
    }
}

fn default_consent(mode: ConsentMode, timeout: Duration) -> Consent {
    Consent {
        mode,
        timeout,
        screen: wording::default_screen(),
        accept: wording::default_accept(),
        reject: wording::default_reject(),
        tick: Some(wording::default_tick()),
    }
}

fn default_steps(mode: ConsentMode, at: Pos) -> Vec<StepAt> {
    let consent = match mode {
        ConsentMode::Reject => Step::RejectConsent,
        ConsentMode::Auto | ConsentMode::Manual => Step::AcceptConsent,
    };
    [Step::Launch, consent, Step::Wait(DEFAULT_FINAL_WAIT)]
        .into_iter()
        .map(|step| StepAt { step, at })
        .collect()
}

/// An installable package name: the platform's rule, [`prior_model::package`].
pub(crate) fn is_package_name(s: &str) -> bool {
    prior_model::package::is_package_name(s)
}

/// `.Main`, `com.x.Main`, `com.x/.Main`, `com.x/com.x.Main` (Java identifiers, `$` allowed).
pub(crate) fn is_activity(s: &str) -> bool {
    let (pkg, cls) = match s.split_once('/') {
        Some((p, c)) => (Some(p), c),
        None => (None, s),
    };
    if pkg.is_some_and(|p| !is_package_name(p)) {
        return false;
    }
    let cls = cls.strip_prefix('.').unwrap_or(cls);
    !cls.is_empty()
        && s.len() <= 512
        && cls.split('.').all(|seg| {
            let mut chars = seg.chars();
            matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        })
}

/// `after-consent`: `[A-Za-z0-9][A-Za-z0-9_.-]*`, ≤ 64 chars, no `..`.
fn is_file_stem(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        && s.len() <= 64
        && !s.contains("..")
}

/// The closest candidate within a small edit distance.
fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| {
            (
                strsim::levenshtein(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                *c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_package_name("com.example.shop"));
        assert!(is_package_name("a.b_2"));
        assert!(!is_package_name("shop"));
        assert!(is_package_name("com..x")); // as the platform's validateName
        assert!(!is_package_name("com.1x"));
        assert!(!is_package_name("com.x; reboot"));
        assert!(is_activity(".Main"));
        assert!(is_activity("com.x.Main$Inner"));
        assert!(is_activity("com.x/.Main"));
        assert!(!is_activity("com.x/"));
        assert!(!is_activity("Main Activity"));
        assert!(!is_activity("com.x/.Main;id"));
        assert!(is_file_stem("after-consent.1"));
        assert!(!is_file_stem("../etc"));
        assert!(!is_file_stem("a/b"));
        assert!(!is_file_stem(".hidden"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("tiemout", CONSENT_KEYS), Some("timeout"));
        assert_eq!(suggest("acept", CONSENT_KEYS), Some("accept"));
        assert_eq!(suggest("zzzzzz", CONSENT_KEYS), None);
        // Case does not count; the closest of several wins.
        assert_eq!(suggest("TimeOut", CONSENT_KEYS), Some("timeout"));
        assert_eq!(suggest("acess", &["accept", "access"]), Some("access"));
    }
}
