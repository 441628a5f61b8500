//! App behaviour models: the YAML files that say what a simulated app does (documented
//! field by field in `docs/sim-models.md`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::SimDeviceError;
use super::apis;

/// A time offset in milliseconds, written `250ms`, `1.5s`, `2s`, `1m` or a bare number (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Millis(pub u64);

impl Millis {
    /// Parses `250ms`, `1.5s`, `2s`, `1m`, `300`.
    pub fn parse(s: &str) -> Option<Millis> {
        let s = s.trim();
        let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
            (n, 1.0)
        } else if let Some(n) = s.strip_suffix('s') {
            (n, 1000.0)
        } else if let Some(n) = s.strip_suffix('m') {
            (n, 60_000.0)
        } else {
            (s, 1.0)
        };
        let v: f64 = num.trim().parse().ok()?;
        if !v.is_finite() || v < 0.0 || v * mult > 86_400_000.0 {
            return None;
        }
        Some(Millis((v * mult).round() as u64))
    }
}

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Millis;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as 250ms, 1.5s or a number of milliseconds")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Millis, E> {
                if v > 86_400_000 {
                    return Err(E::custom("duration longer than a day"));
                }
                Ok(Millis(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Millis, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom("negative duration"))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Millis, E> {
                Millis::parse(&v.to_string()).ok_or_else(|| E::custom("invalid duration"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Millis, E> {
                Millis::parse(v).ok_or_else(|| E::custom(format!("invalid duration `{v}`")))
            }
        }
        d.deserialize_any(V)
    }
}

/// One app's behaviour.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppModel {
    /// The package this model drives (must match the APK's manifest).
    pub package: String,
    /// The app's label (title bar, logs). Defaults to the APK's label, then the package.
    #[serde(default)]
    pub label: Option<String>,
    /// Each action's `at` gets a random extra delay in `[0, jitter]` (seeded).
    #[serde(default)]
    pub jitter: Millis,
    /// Process start → first frame drawn (`Displayed … +Nms`).
    #[serde(default = "default_launch")]
    pub launch: Millis,
    /// Tag of the app's own log lines when an action does not name one.
    #[serde(default)]
    pub log_tag: Option<String>,
    /// The screen the launcher activity shows first (default: a plain page with the label).
    #[serde(default)]
    pub first_screen: Option<String>,
    /// Actions relative to the process start (Application.onCreate runs at 0).
    #[serde(default)]
    pub on_start: Vec<Action>,
    /// Named timelines started by `goto`, a button or a permission answer; times are
    /// relative to the moment the phase starts.
    #[serde(default)]
    pub phases: BTreeMap<String, Vec<Action>>,
    /// Named screens.
    #[serde(default)]
    pub screens: BTreeMap<String, Screen>,
    /// The app is built debuggable (`android:debuggable="true"`, `FLAG_DEBUGGABLE`): shown in
    /// `dumpsys package`, and `am trace-ipc` traces it even on a user build.
    #[serde(default)]
    pub debuggable: bool,
}

fn default_launch() -> Millis {
    Millis(450)
}

/// One timeline entry: `at` plus exactly one verb.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Offset from the start of its timeline.
    #[serde(default)]
    pub at: Millis,
    /// Run only if this app-data flag is set (see `set`).
    #[serde(default)]
    pub when: Option<String>,
    /// Run only if this app-data flag is not set.
    #[serde(default)]
    pub unless: Option<String>,
    /// Write a log line from the app process.
    #[serde(default)]
    pub log: Option<LogSpec>,
    /// Write many numbered log lines at a steady rate (load tests).
    #[serde(default)]
    pub log_burst: Option<LogBurst>,
    /// Access personal data through a named API.
    #[serde(default)]
    pub access: Option<AccessSpec>,
    /// Show a named screen.
    #[serde(default)]
    pub show: Option<String>,
    /// Ask for a runtime permission (shows the permission controller's dialog).
    #[serde(default)]
    pub request_permission: Option<PermissionRequest>,
    /// Start a phase.
    #[serde(default)]
    pub goto: Option<String>,
    /// Contact a network host (kept as a DNS/TLS record; logs nothing).
    #[serde(default)]
    pub contact: Option<Contact>,
    /// Send an HTTP(S) request (a `contact:` in the pcap; really sent through the interception
    /// proxy when the scenario intercepts: `crate::http`).
    #[serde(default)]
    pub send: Option<SendSpec>,
    /// Crash the process with an uncaught exception.
    #[serde(default)]
    pub crash: Option<Crash>,
    /// Finish the activity and end the process (`exit: true`).
    #[serde(default)]
    pub exit: Option<bool>,
    /// Set an app-data flag (survives restarts; cleared by `pm clear` and uninstall).
    #[serde(default)]
    pub set: Option<String>,
}

/// A log line the app writes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSpec {
    #[serde(default)]
    pub tag: Option<String>,
    pub text: String,
    /// `V D I W E F` (default `I`).
    #[serde(default)]
    pub priority: Option<String>,
    /// `main` (default), `system`, `radio`, `events`, `crash`.
    #[serde(default)]
    pub buffer: Option<String>,
}

/// Numbered log lines at a steady rate: `text` with `{n}` replaced by 1, 2, 3…
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogBurst {
    /// The tag (default: the model's `log_tag`).
    #[serde(default)]
    pub tag: Option<String>,
    /// The message; `{n}` becomes the line's sequence number.
    pub text: String,
    /// Lines per second (1 to 1 000 000).
    pub rate: u32,
    /// How long (at most 10 minutes).
    #[serde(rename = "for")]
    pub duration: Millis,
}

/// A personal-data access.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessSpec {
    /// A name from the API catalog (`android_id`, `imei`, `last_location`, …).
    pub api: String,
    /// The app/SDK frames below the framework frames, innermost first, e.g.
    /// `com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:210)`.
    #[serde(default)]
    pub stack: Vec<String>,
    /// `main` (default) or `background`: which thread's frames end the stack.
    #[serde(default)]
    pub thread: Option<String>,
    /// The app logs the SecurityException it gets when the access is denied.
    #[serde(default)]
    pub log_exception: bool,
    /// Tag for that exception log (default: the model's `log_tag`).
    #[serde(default)]
    pub exception_tag: Option<String>,
}

/// A runtime-permission request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionRequest {
    /// e.g. `android.permission.ACCESS_FINE_LOCATION`.
    pub permission: String,
    /// Phase started when the user allows.
    #[serde(default)]
    pub on_grant: Option<String>,
    /// Phase started when the user denies.
    #[serde(default)]
    pub on_deny: Option<String>,
}

/// A network contact.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    /// `tls` (default), `http`, `dns`.
    #[serde(default)]
    pub protocol: Option<String>,
}

fn default_port() -> u16 {
    443
}

/// An HTTP(S) request (`send:`; docs/sim-models.md, docs/interception.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendSpec {
    /// `GET`, `POST`, … (default `POST`).
    #[serde(default = "default_method")]
    pub method: String,
    /// `https://host[:port]/path?query` or `http://…`; may hold `{{kind|encoding}}`.
    pub url: String,
    /// Request headers; values may hold placeholders.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body; may hold placeholders.
    #[serde(default)]
    pub body: Option<String>,
    /// `gzip`, `deflate` or `identity` (default): how the body is compressed on the wire.
    #[serde(default)]
    pub content_encoding: Option<String>,
    /// The app pins this host's certificate: it refuses the interception proxy's CA, so the
    /// TLS handshake fails and nothing is decrypted.
    #[serde(default)]
    pub pinned: bool,
    /// The SDK frames that send it (documentation of the model; not shown anywhere yet).
    #[serde(default)]
    pub stack: Vec<String>,
}

fn default_method() -> String {
    "POST".to_owned()
}

/// An uncaught exception.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crash {
    /// Exception class, e.g. `java.lang.NullPointerException`.
    pub exception: String,
    #[serde(default)]
    pub message: Option<String>,
    /// Frames, innermost first (`at` is added).
    #[serde(default)]
    pub stack: Vec<String>,
}

/// A screen: a dialog over the app's activity, or a full page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Screen {
    /// `dialog` or `page`.
    pub kind: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    /// A link line (e.g. `《隐私政策》`).
    #[serde(default)]
    pub link: Option<Link>,
    /// A consent checkbox ("我已阅读并同意…") above the buttons: an `android.widget.CheckBox`
    /// whose state is the app-data flag it names.
    #[serde(default)]
    pub checkbox: Option<Checkbox>,
    #[serde(default)]
    pub buttons: Vec<Button>,
    /// Phase started by the BACK key while this screen is on top (default: none; a page
    /// without it is finished by BACK).
    #[serde(default)]
    pub on_back: Option<String>,
}

/// A tappable link.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub text: String,
    /// Screen shown when tapped.
    #[serde(default)]
    pub show: Option<String>,
}

/// A checkbox: a tap inside its bounds toggles the app-data flag `flag`; it is drawn and
/// dumped checked while the flag is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkbox {
    pub text: String,
    /// The app-data flag that holds its state (`when:`/`unless:`/`requires:` test it).
    pub flag: String,
    /// Resource id suffix (`<package>:id/<id>`).
    #[serde(default)]
    pub id: Option<String>,
}

/// A button and its reaction.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Button {
    pub text: String,
    /// Resource id suffix (`<package>:id/<id>`).
    #[serde(default)]
    pub id: Option<String>,
    /// Phase started by a tap.
    #[serde(default)]
    pub goto: Option<String>,
    /// Screen shown by a tap.
    #[serde(default)]
    pub show: Option<String>,
    /// A tap finishes the activity and ends the process.
    #[serde(default)]
    pub exit: bool,
    /// The text sits in a non-clickable TextView inside a clickable LinearLayout.
    #[serde(default)]
    pub text_in_child: bool,
    /// The reaction happens only while this app-data flag is set (e.g. the consent
    /// checkbox's); otherwise the tap does nothing, or starts `otherwise`.
    #[serde(default)]
    pub requires: Option<String>,
    /// Phase started by a tap while `requires` is not met (the dialog stays up).
    #[serde(default)]
    pub otherwise: Option<String>,
}

impl Action {
    fn verbs(&self) -> usize {
        [
            self.log.is_some(),
            self.log_burst.is_some(),
            self.access.is_some(),
            self.show.is_some(),
            self.request_permission.is_some(),
            self.goto.is_some(),
            self.contact.is_some(),
            self.send.is_some(),
            self.crash.is_some(),
            self.exit.is_some(),
            self.set.is_some(),
        ]
        .into_iter()
        .filter(|b| *b)
        .count()
    }
}

impl AppModel {
    /// Parses and validates one model.
    pub fn from_yaml(text: &str, origin: &str) -> Result<AppModel, SimDeviceError> {
        let m: AppModel = serde_saphyr::from_str(text).map_err(|e| SimDeviceError::Model {
            origin: origin.to_owned(),
            reason: e.to_string(),
        })?;
        m.validate().map_err(|reason| SimDeviceError::Model {
            origin: origin.to_owned(),
            reason,
        })?;
        Ok(m)
    }

    /// Reads every model file in `dir`: `*.model`, and `*.yaml`/`*.yml` files whose top level
    /// has `package:` and no `app:` (scenario files may live beside models). The demo uses
    /// `.model` so that tools scanning `scenarios/` for scenario YAML never pick models up.
    pub fn load_dir(dir: &Path) -> Result<Vec<AppModel>, SimDeviceError> {
        let rd = std::fs::read_dir(dir).map_err(|e| SimDeviceError::Io {
            path: dir.display().to_string(),
            source: e,
        })?;
        let mut paths: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        let mut out = Vec::new();
        for p in paths {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !(ext == "model" || ext == "yaml" || ext == "yml") || !p.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&p).map_err(|e| SimDeviceError::Io {
                path: p.display().to_string(),
                source: e,
            })?;
            if ext != "model" && !looks_like_model(&text) {
                continue;
            }
            out.push(AppModel::from_yaml(&text, &p.display().to_string())?);
        }
        Ok(out)
    }

    fn validate(&self) -> Result<(), String> {
        if !valid_package(&self.package) {
            return Err(format!("`{}` is not a valid package name", self.package));
        }
        let mut lists: Vec<(&str, &Vec<Action>)> = vec![("on_start", &self.on_start)];
        for (k, v) in &self.phases {
            lists.push((k.as_str(), v));
        }
        for (name, list) in lists {
            for (i, a) in list.iter().enumerate() {
                let at = format!("{name}[{i}]");
                if a.verbs() != 1 {
                    return Err(format!(
                        "{at}: an action needs exactly one of log, access, show, request_permission, goto, contact, send, crash, exit, set"
                    ));
                }
                if let Some(s) = &a.show {
                    self.need_screen(s, &at)?;
                }
                if let Some(g) = &a.goto {
                    self.need_phase(g, &at)?;
                }
                if let Some(acc) = &a.access {
                    if apis::lookup(&acc.api).is_none() {
                        return Err(format!(
                            "{at}: unknown api `{}` (known: {})",
                            acc.api,
                            apis::names().join(", ")
                        ));
                    }
                    if let Some(t) = &acc.thread
                        && t != "main"
                        && t != "background"
                    {
                        return Err(format!("{at}: thread must be main or background"));
                    }
                }
                if let Some(b) = &a.log_burst
                    && (b.rate == 0 || b.rate > 1_000_000 || b.duration.0 > 600_000)
                {
                    return Err(format!(
                        "{at}: log_burst needs 1 <= rate <= 1000000 and `for` <= 10m"
                    ));
                }
                if let Some(l) = &a.log {
                    check_log(l).map_err(|e| format!("{at}: {e}"))?;
                }
                if let Some(r) = &a.request_permission {
                    for p in [&r.on_grant, &r.on_deny].into_iter().flatten() {
                        self.need_phase(p, &at)?;
                    }
                    if !r.permission.contains('.') {
                        return Err(format!(
                            "{at}: permission must be a full name like android.permission.CAMERA"
                        ));
                    }
                }
                if let Some(c) = &a.contact
                    && (c.host.is_empty() || c.host.len() > 253)
                {
                    return Err(format!("{at}: invalid host"));
                }
                if let Some(sp) = &a.send {
                    crate::http::validate(sp).map_err(|e| format!("{at}: send: {e}"))?;
                }
            }
        }
        if let Some(s) = &self.first_screen {
            self.need_screen(s, "first_screen")?;
        }
        for (name, s) in &self.screens {
            if s.kind != "dialog" && s.kind != "page" {
                return Err(format!("screen {name}: kind must be dialog or page"));
            }
            if s.buttons.len() > 6 {
                return Err(format!("screen {name}: at most 6 buttons"));
            }
            for b in &s.buttons {
                if let Some(g) = &b.goto {
                    self.need_phase(g, &format!("screen {name}"))?;
                }
                if let Some(sh) = &b.show {
                    self.need_screen(sh, &format!("screen {name}"))?;
                }
                if let Some(id) = &b.id
                    && !valid_id(id)
                {
                    return Err(format!(
                        "screen {name}: button id `{id}` must be [A-Za-z0-9_]+"
                    ));
                }
                if let Some(p) = &b.otherwise {
                    if b.requires.is_none() {
                        return Err(format!(
                            "screen {name}: button `{}`: `otherwise` needs `requires`",
                            b.text
                        ));
                    }
                    self.need_phase(p, &format!("screen {name}"))?;
                }
                if b.requires.as_ref().is_some_and(|f| f.is_empty()) {
                    return Err(format!("screen {name}: `requires` names no flag"));
                }
            }
            if let Some(c) = &s.checkbox {
                if c.flag.is_empty() {
                    return Err(format!("screen {name}: checkbox `flag` is empty"));
                }
                if let Some(id) = &c.id
                    && !valid_id(id)
                {
                    return Err(format!(
                        "screen {name}: checkbox id `{id}` must be [A-Za-z0-9_]+"
                    ));
                }
            }
            if let Some(sh) = s.link.as_ref().and_then(|l| l.show.as_ref()) {
                self.need_screen(sh, &format!("screen {name}"))?;
            }
            if let Some(p) = &s.on_back {
                self.need_phase(p, &format!("screen {name}"))?;
            }
        }
        Ok(())
    }

    fn need_screen(&self, s: &str, at: &str) -> Result<(), String> {
        if self.screens.contains_key(s) {
            Ok(())
        } else {
            Err(format!("{at}: no screen named `{s}`"))
        }
    }

    fn need_phase(&self, p: &str, at: &str) -> Result<(), String> {
        if self.phases.contains_key(p) {
            Ok(())
        } else {
            Err(format!("{at}: no phase named `{p}`"))
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_log(l: &LogSpec) -> Result<(), String> {
    if let Some(p) = &l.priority {
        let mut cs = p.chars();
        match (cs.next(), cs.next()) {
            (Some(c), None) if "VDIWEF".contains(c.to_ascii_uppercase()) => {}
            _ => return Err(format!("priority `{p}` must be one of V D I W E F")),
        }
    }
    if let Some(b) = &l.buffer
        && super::logs::LogId::from_name(b).is_none()
    {
        return Err(format!("unknown buffer `{b}`"));
    }
    if let Some(t) = &l.tag
        && (t.is_empty() || t.len() > 128)
    {
        return Err("tag must be 1..128 bytes".into());
    }
    Ok(())
}

/// Whether a YAML text is a behaviour model (has a top-level `package:` and no `app:`).
pub fn looks_like_model(text: &str) -> bool {
    let top = |k: &str| text.lines().any(|l| l.starts_with(k));
    top("package:") && !top("app:")
}

/// An installable package name: the platform's rule, [`prior_model::package`].
pub fn valid_package(p: &str) -> bool {
    prior_model::package::is_package_name(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(Millis::parse("250ms"), Some(Millis(250)));
        assert_eq!(Millis::parse("1.5s"), Some(Millis(1500)));
        assert_eq!(Millis::parse("2m"), Some(Millis(120_000)));
        assert_eq!(Millis::parse("30"), Some(Millis(30)));
        assert_eq!(Millis::parse("-1s"), None);
        assert_eq!(Millis::parse("soon"), None);
    }

    #[test]
    fn a_model_parses_and_bad_ones_are_rejected_with_reasons() {
        let ok = r#"
package: com.example.app
jitter: 20ms
on_start:
  - at: 100ms
    access: { api: android_id, stack: ["com.x.A.b(A.java:1)"] }
  - at: 1s
    show: consent
phases:
  accepted:
    - show: home
screens:
  consent:
    kind: dialog
    title: 隐私政策
    buttons:
      - { text: 同意, goto: accepted }
  home: { kind: page, title: Home }
"#;
        let m = AppModel::from_yaml(ok, "t").unwrap();
        assert_eq!(m.on_start.len(), 2);
        assert_eq!(m.on_start[1].at, Millis(1000));
        assert_eq!(m.launch, Millis(450));
        let two_verbs = ok.replace("    show: consent", "    show: consent\n    goto: accepted");
        let e = AppModel::from_yaml(&two_verbs, "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("exactly one"), "{e}");
        let bad_api = ok.replace("android_id", "mind_reading");
        assert!(
            AppModel::from_yaml(&bad_api, "t")
                .unwrap_err()
                .to_string()
                .contains("unknown api")
        );
        let bad_goto = ok.replace("goto: accepted", "goto: nowhere");
        assert!(
            AppModel::from_yaml(&bad_goto, "t")
                .unwrap_err()
                .to_string()
                .contains("nowhere")
        );
        let unknown_field = ok.replace("jitter: 20ms", "jitter: 20ms\ncolour: red");
        assert!(AppModel::from_yaml(&unknown_field, "t").is_err());
        assert!(!valid_package("nodots"));
        assert!(!valid_package("com._x"));
        assert!(valid_package("com.prior_demo.x1"));
    }
}
