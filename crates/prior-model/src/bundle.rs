//! The session bundle: one recorded session on disk. `docs/bundle.md` is the contract.
//!
//! ```text
//! BUNDLE/
//!   meta.json          facts about the session; rewritten atomically (tmp + rename)
//!   harness.jsonl      what Prior did and saw, one JSON object per line, append-only
//!   raw/               device output exactly as received, append-only
//!   MANIFEST.sha256    `sha256sum` lines for meta.json, harness.jsonl and raw/**, written last
//!   events.jsonl, findings.json, report.*   derived; not covered by the manifest
//! ```
//!
//! A bundle whose recording was cut off (crash, `kill -9`, device gone) still loads: a last
//! line cut mid-way is dropped, and the bundle is reported incomplete with the reason.

use crate::{Micros, Source};
use fs_err as fs;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{self, BufRead, Read, Write};
use std::path::{Component, Path, PathBuf};

/// Version of the bundle layout written by this crate.
pub const BUNDLE_FORMAT: u32 = 1;
/// Name of the metadata file.
pub const META_FILE: &str = "meta.json";
/// Name of the harness log.
pub const HARNESS_FILE: &str = "harness.jsonl";
/// Name of the manifest.
pub const MANIFEST_FILE: &str = "MANIFEST.sha256";
/// The raw-capture directory.
pub const RAW_DIR: &str = "raw";

/// Errors reading or writing a bundle. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A file could not be read or written (the io error names the path).
    #[error("access the bundle: {0}")]
    Io(#[from] io::Error),
    /// `meta.json` is missing.
    #[error("find {path}: not a Prior session bundle (no meta.json)")]
    NotABundle {
        /// The directory given.
        path: PathBuf,
    },
    /// A JSON file or line is malformed.
    #[error("parse {file}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Malformed {
        /// The file.
        file: PathBuf,
        /// 1-based line, for JSON-lines files.
        line: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// The bundle was written by a newer Prior.
    #[error(
        "read {file}: bundle format {found} is newer than this Prior understands ({BUNDLE_FORMAT})"
    )]
    UnsupportedFormat {
        /// The meta file.
        file: PathBuf,
        /// The format found.
        found: u32,
    },
    /// A path given for a raw file is not a plain relative path under `raw/`.
    #[error("write raw file {0:?}: the path must be relative, under raw/, without `..`")]
    BadRawPath(String),
    /// The target directory for a new bundle exists and is not empty.
    #[error("create bundle at {0}: the directory exists and is not empty")]
    NotEmpty(PathBuf),
}

/// How far a recording got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingState {
    /// Still being written (or the recorder died without finishing).
    Recording,
    /// Finished normally.
    Complete,
    /// Finished early; `Meta::status.reason` says why.
    Incomplete,
}

/// The recording status stored in `meta.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// State.
    pub state: RecordingState,
    /// Why the session is incomplete, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The tool that wrote the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ToolInfo {
    /// `prior`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The app under test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct AppInfo {
    /// Package name.
    pub package: String,
    /// `versionName` from the manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// `versionCode` from the manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_code: Option<String>,
    /// Launcher activity, `pkg/.Activity` or fully qualified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launcher_activity: Option<String>,
    /// sha256 of the APK file, lowercase hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apk_sha256: Option<String>,
    /// The APK file name as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apk_file: Option<String>,
    /// The app's Linux uid on the device, once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Whether the installed app is debuggable (`DEBUGGABLE` in `dumpsys package`'s
    /// `pkgFlags`, or `android:debuggable` in the manifest); `None` when Prior could not tell.
    /// `am trace-ipc` traces a release app only on a debuggable build
    /// (docs/device-behaviour.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debuggable: Option<bool>,
}

/// Facts about the device, read before the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct DeviceInfo {
    /// adb serial.
    pub serial: String,
    /// `ro.product.model`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `ro.build.version.sdk`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_level: Option<u32>,
    /// `ro.build.fingerprint`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// `ro.product.cpu.abi`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abi: Option<String>,
    /// Locale, e.g. `zh-CN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// `persist.sys.timezone`, e.g. `Asia/Shanghai`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The device's offset from UTC in seconds (east positive) at recording time; used to
    /// convert device-local times (app-ops) to the device clock.
    pub utc_offset_s: i32,
    /// Device clock minus host clock, µs, measured at the start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_offset_us: Option<i64>,
    /// Whether this is an emulator.
    pub emulator: bool,
    /// Whether this is Prior's simulated handset. Every output must say so.
    pub simulated: bool,
    /// `ro.build.type`: `user`, `userdebug` or `eng`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_type: Option<String>,
    /// `ro.debuggable` (`1` → true). `None` when the property was not read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debuggable: Option<bool>,
}

/// The scenario that drove the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ScenarioInfo {
    /// The scenario's `name`.
    pub name: String,
    /// The path it was read from.
    pub path: String,
    /// The file's text, after variable substitution.
    pub text: String,
    /// The consent mode, `auto` | `manual` | `reject`.
    pub consent_mode: String,
}

/// `meta.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// Bundle layout version ([`BUNDLE_FORMAT`]).
    pub format: u32,
    /// The tool that wrote it.
    pub tool: ToolInfo,
    /// Recording status.
    pub status: Status,
    /// Host time the recording started, µs since the epoch.
    pub started_host_us: i64,
    /// Host time the recording ended, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_host_us: Option<i64>,
    /// The app.
    pub app: AppInfo,
    /// The device.
    pub device: DeviceInfo,
    /// The scenario, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<ScenarioInfo>,
    /// The rule profile named by the scenario (analysis may choose another).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

impl Meta {
    /// A new meta for a recording that starts now.
    pub fn new(tool_version: &str, started_host_us: i64, app: AppInfo, device: DeviceInfo) -> Meta {
        Meta {
            format: BUNDLE_FORMAT,
            tool: ToolInfo {
                name: "prior".into(),
                version: tool_version.into(),
            },
            status: Status {
                state: RecordingState::Recording,
                reason: None,
            },
            started_host_us,
            ended_host_us: None,
            app,
            device,
            scenario: None,
            profile: None,
        }
    }
}

/// Which way the consent screen was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentAction {
    /// Accept.
    Accept,
    /// Reject.
    Reject,
}

/// One line of `harness.jsonl`: what Prior did or saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarnessEntry {
    /// Sequence number, from 1.
    pub seq: u64,
    /// Host wall clock, µs since the epoch.
    pub host_us: i64,
    /// The record.
    pub record: HarnessRecord,
}

/// The records of `harness.jsonl`. Device times (`*_us`) are on the device clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HarnessRecord {
    /// A scenario step started.
    Step {
        /// 1-based index in the scenario.
        index: u32,
        /// The step as written, e.g. `wait: 10s`.
        step: String,
    },
    /// A marker line written to logcat with `log -t prior MESSAGE`.
    Marker {
        /// The marker message.
        message: String,
    },
    /// The app was launched (the process may start a little later).
    Launch {
        /// Device time just before the launch command.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device_us: Option<Micros>,
        /// The component launched.
        component: String,
    },
    /// The consent screen was seen in a UI dump.
    ConsentShown {
        /// Device time of the dump.
        device_us: Micros,
        /// The dump, relative to the bundle root.
        ui_file: String,
    },
    /// Prior tapped accept or reject, bracketed by two logcat markers in one shell call.
    ConsentTap {
        /// Accept or reject.
        action: ConsentAction,
        /// Message of the marker logged right before the tap.
        begin_marker: String,
        /// Message of the marker logged right after the tap.
        end_marker: String,
        /// Where it tapped (x, y).
        x: i32,
        /// Where it tapped.
        y: i32,
    },
    /// Manual mode: the operator answered; the window runs from the last UI dump that showed
    /// the consent screen to the first that did not.
    ConsentObserved {
        /// Accept or reject, as far as Prior could tell.
        action: ConsentAction,
        /// Last time the screen was seen.
        from_us: Micros,
        /// First time it was gone.
        to_us: Micros,
    },
    /// No consent screen appeared within the scenario's timeout.
    ConsentMissing {
        /// How long Prior waited, ms.
        timeout_ms: u64,
    },
    /// A runtime-permission dialog was on screen.
    PermissionPrompt {
        /// Device time of the dump that showed it.
        device_us: Micros,
        /// The dump.
        ui_file: String,
        /// The permission group or text shown, when readable.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// A `dumpsys appops` snapshot was saved.
    AppopsSnapshot {
        /// Relative path of the snapshot.
        file: String,
        /// Device time of the snapshot.
        device_us: Micros,
        /// Why it was taken (`baseline`, `before-consent`, `poll`, `end`…).
        label: String,
    },
    /// An `am trace-ipc` dump was saved; its calls happened within `[from_us, to_us]`.
    IpcDump {
        /// Relative path of the dump.
        file: String,
        /// When tracing (re)started.
        from_us: Micros,
        /// When it was stopped.
        to_us: Micros,
        /// Why (`before-consent`, `end`…).
        label: String,
    },
    /// A UI dump was saved.
    UiDump {
        /// Relative path.
        file: String,
        /// Device time.
        device_us: Micros,
    },
    /// A screenshot was saved.
    Screenshot {
        /// Relative path.
        file: String,
        /// Device time.
        device_us: Micros,
        /// Why (`consent`, `end`…).
        label: String,
    },
    /// What a collector could not do, recorded when it happens: a source that is
    /// `unavailable` on this device (with the reason: user build, API level, command refused,
    /// capture not started), `partial`, or `failed`. The analyzer turns these into the
    /// coverage state of the source; a source with no such record is judged from its files.
    Collector {
        /// The source: `logcat`, `appops`, `ipc`, `ui` or `net`.
        source: Source,
        /// What happened.
        state: CollectorState,
        /// Why, as the recorder knows it; absent in bundles written before it was recorded
        /// (the analyzer then reads the cause from `reason`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<CollectorCause>,
        /// Why, in words a reader of the report understands.
        reason: String,
    },
    /// A free-form note (warnings, retries).
    Note {
        /// The text.
        text: String,
    },
    /// The recording ended.
    End {
        /// Complete or incomplete.
        state: RecordingState,
        /// Why incomplete.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// Why a collector could not do its job, as the recorder knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectorCause {
    /// A user build and an app that is not debuggable (`am trace-ipc` skips it).
    UserBuild,
    /// The device's API level lacks the command.
    ApiLevel,
    /// The device refused the command or answered with an error.
    CommandRefused,
    /// The collector did not start.
    NotStarted,
    /// Something else; the words say what.
    Other,
}

/// What a collector reports about itself in a [`HarnessRecord::Collector`] record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectorState {
    /// The device cannot give this source at all (e.g. IPC tracing of a release app on a
    /// user build); nothing about it can be concluded.
    Unavailable,
    /// Some of its output is missing (e.g. one UI dump failed, the others are good).
    Partial,
    /// It was attempted and failed.
    Failed,
}

impl CollectorState {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            CollectorState::Unavailable => "unavailable",
            CollectorState::Partial => "partial",
            CollectorState::Failed => "failed",
        }
    }
}

/// Integrity of a bundle against its `MANIFEST.sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Integrity {
    /// Whether a manifest was present at all.
    pub manifest_present: bool,
    /// Files whose hash differs from the manifest.
    pub modified: Vec<String>,
    /// Files in the manifest that are gone.
    pub missing: Vec<String>,
    /// Files under `raw/` (or meta/harness) not in the manifest.
    pub unlisted: Vec<String>,
}

impl Integrity {
    /// True when a manifest exists and every file matches it.
    pub fn is_intact(&self) -> bool {
        self.manifest_present
            && self.modified.is_empty()
            && self.missing.is_empty()
            && self.unlisted.is_empty()
    }
}

/// A bundle opened for reading.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The bundle directory.
    pub root: PathBuf,
    /// `meta.json`.
    pub meta: Meta,
    /// `harness.jsonl`, in order.
    pub harness: Vec<HarnessEntry>,
    /// Why the bundle is incomplete; empty when it is complete.
    pub incomplete: Vec<String>,
    /// The manifest check.
    pub integrity: Integrity,
}

impl Bundle {
    /// Opens a bundle, reading meta and harness and verifying the manifest.
    pub fn open(root: impl AsRef<Path>) -> Result<Bundle, BundleError> {
        let root = root.as_ref().to_path_buf();
        let meta_path = root.join(META_FILE);
        if !meta_path.is_file() {
            return Err(BundleError::NotABundle { path: root });
        }
        let meta_text = fs::read(&meta_path)?;
        let meta: Meta =
            serde_json::from_slice(&meta_text).map_err(|e| BundleError::Malformed {
                file: meta_path.clone(),
                line: Some(e.line() as u64),
                message: e.to_string(),
            })?;
        if meta.format > BUNDLE_FORMAT {
            return Err(BundleError::UnsupportedFormat {
                file: meta_path,
                found: meta.format,
            });
        }
        let mut incomplete = Vec::new();
        match meta.status.state {
            RecordingState::Complete => {}
            RecordingState::Incomplete => incomplete.push(
                meta.status
                    .reason
                    .clone()
                    .unwrap_or_else(|| "recording ended early".to_string()),
            ),
            // The recorder writes its reason into `status` when it starts sealing; a bundle
            // left in `recording` with a reason was killed while sealing.
            RecordingState::Recording => incomplete.push(match &meta.status.reason {
                Some(r) => format!(
                    "the recording never finished: it was stopping ({r}) when the recorder was killed"
                ),
                None => "the recording never finished (the recorder was stopped or crashed)"
                    .to_string(),
            }),
        }
        let harness_path = root.join(HARNESS_FILE);
        let harness = if harness_path.is_file() {
            read_harness(&harness_path, &mut incomplete)?
        } else {
            incomplete.push(format!("{HARNESS_FILE} is missing"));
            Vec::new()
        };
        let integrity = verify_manifest(&root)?;
        if !integrity.manifest_present {
            incomplete.push(format!(
                "{MANIFEST_FILE} is missing (the bundle was never sealed)"
            ));
        }
        Ok(Bundle {
            root,
            meta,
            harness,
            incomplete,
            integrity,
        })
    }

    /// True when the recording finished normally and the bundle was sealed.
    pub fn is_complete(&self) -> bool {
        self.incomplete.is_empty()
    }

    /// Absolute path of a bundle-relative file.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Every file under `raw/`, bundle-relative with `/` separators, sorted.
    pub fn raw_files(&self) -> Result<Vec<String>, BundleError> {
        let mut out = Vec::new();
        let raw = self.root.join(RAW_DIR);
        if raw.is_dir() {
            walk(&self.root, &raw, &mut out)?;
        }
        out.sort();
        Ok(out)
    }
}

fn read_harness(
    path: &Path,
    incomplete: &mut Vec<String>,
) -> Result<Vec<HarnessEntry>, BundleError> {
    let mut bytes = Vec::new();
    fs::File::open(path)?.read_to_end(&mut bytes)?;
    let ends_with_newline = bytes.last().is_none_or(|b| *b == b'\n');
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let count = lines.len();
    let mut out = Vec::new();
    for (i, line) in lines.into_iter().enumerate() {
        let is_last = i + 1 == count;
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        match serde_json::from_slice::<HarnessEntry>(line) {
            Ok(e) => out.push(e),
            Err(_) if is_last && !ends_with_newline => {
                incomplete.push(format!(
                    "{HARNESS_FILE} was cut off mid-line at line {}; that line was dropped",
                    i + 1
                ));
            }
            Err(e) => {
                return Err(BundleError::Malformed {
                    file: path.to_path_buf(),
                    line: Some(i as u64 + 1),
                    message: e.to_string(),
                });
            }
        }
    }
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), BundleError> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let ft = entry.file_type()?;
        if ft.is_dir() {
            walk(root, &path, out)?;
        } else if ft.is_file() {
            out.push(rel_string(root, &path));
        }
    }
    Ok(())
}

fn rel_string(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// sha256 of a file, lowercase hex, streaming.
pub fn sha256_file(path: &Path) -> Result<String, BundleError> {
    let mut f = io::BufReader::with_capacity(1 << 16, fs::File::open(path)?);
    let mut h = Sha256::new();
    loop {
        let buf = f.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        h.update(buf);
        let n = buf.len();
        f.consume(n);
    }
    Ok(hex::encode(h.finalize()))
}

/// The files a manifest covers: meta, harness and everything under raw/.
fn covered_files(root: &Path) -> Result<Vec<String>, BundleError> {
    let mut files = Vec::new();
    for f in [META_FILE, HARNESS_FILE] {
        if root.join(f).is_file() {
            files.push(f.to_string());
        }
    }
    let raw = root.join(RAW_DIR);
    if raw.is_dir() {
        walk(root, &raw, &mut files)?;
    }
    files.sort();
    Ok(files)
}

fn verify_manifest(root: &Path) -> Result<Integrity, BundleError> {
    let path = root.join(MANIFEST_FILE);
    let mut integrity = Integrity::default();
    if !path.is_file() {
        return Ok(integrity);
    }
    integrity.manifest_present = true;
    let text = fs::read_to_string(&path)?;
    let mut listed = std::collections::BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // `sha256sum` format: 64 hex, two spaces (or space + `*`), path.
        let parsed = line
            .split_once("  ")
            .or_else(|| line.split_once(" *"))
            .filter(|(h, _)| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some((hash, file)) = parsed else {
            return Err(BundleError::Malformed {
                file: path.clone(),
                line: Some(i as u64 + 1),
                message: "expected `<sha256>  <path>`".to_string(),
            });
        };
        listed.insert(file.to_string(), hash.to_ascii_lowercase());
    }
    for (file, hash) in &listed {
        let p = root.join(file);
        if !safe_rel(file) || !p.is_file() {
            integrity.missing.push(file.clone());
        } else if &sha256_file(&p)? != hash {
            integrity.modified.push(file.clone());
        }
    }
    for f in covered_files(root)? {
        if !listed.contains_key(&f) {
            integrity.unlisted.push(f);
        }
    }
    Ok(integrity)
}

fn safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && rel
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.contains('\\'))
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Writes a bundle while a session is recorded. Everything is append-only except
/// `meta.json`, which is replaced atomically.
#[derive(Debug)]
pub struct BundleWriter {
    root: PathBuf,
    meta: Meta,
    harness: fs::File,
    seq: u64,
}

impl BundleWriter {
    /// Creates the bundle directory (which must not exist or be empty) and writes `meta.json`.
    pub fn create(root: impl AsRef<Path>, meta: Meta) -> Result<BundleWriter, BundleError> {
        let root = root.as_ref().to_path_buf();
        if root.exists() && fs::read_dir(&root)?.next().is_some() {
            return Err(BundleError::NotEmpty(root));
        }
        fs::create_dir_all(root.join(RAW_DIR))?;
        let harness = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(root.join(HARNESS_FILE))?;
        let w = BundleWriter {
            root,
            meta,
            harness,
            seq: 0,
        };
        w.write_meta()?;
        Ok(w)
    }

    /// The bundle directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The metadata as it stands.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// Changes the metadata and rewrites `meta.json` atomically.
    pub fn update_meta(&mut self, f: impl FnOnce(&mut Meta)) -> Result<(), BundleError> {
        f(&mut self.meta);
        self.write_meta()
    }

    fn write_meta(&self) -> Result<(), BundleError> {
        let mut text = serde_json::to_vec_pretty(&self.meta).map_err(io::Error::other)?;
        text.push(b'\n');
        let tmp = self.root.join(".meta.json.tmp");
        {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, self.root.join(META_FILE))?;
        Ok(())
    }

    /// Appends one record to `harness.jsonl` and flushes it.
    pub fn record(&mut self, host_us: i64, record: HarnessRecord) -> Result<u64, BundleError> {
        self.seq += 1;
        let entry = HarnessEntry {
            seq: self.seq,
            host_us,
            record,
        };
        let mut line = serde_json::to_vec(&entry).map_err(io::Error::other)?;
        line.push(b'\n');
        self.harness.write_all(&line)?;
        self.harness.flush()?;
        Ok(self.seq)
    }

    /// Opens (creating) a raw file for appending, e.g. `raw/logcat.txt`.
    pub fn append_raw(&self, rel: &str) -> Result<fs::File, BundleError> {
        let p = self.raw_path(rel)?;
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent)?;
        }
        Ok(fs::OpenOptions::new().create(true).append(true).open(p)?)
    }

    /// Writes a whole raw file that must not exist yet, e.g. a snapshot.
    pub fn write_raw(&self, rel: &str, bytes: &[u8]) -> Result<(), BundleError> {
        let p = self.raw_path(rel)?;
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut f = fs::OpenOptions::new()
            .create_new(true)
            .write(true)
            .open(p)?;
        f.write_all(bytes)?;
        f.flush()?;
        Ok(())
    }

    fn raw_path(&self, rel: &str) -> Result<PathBuf, BundleError> {
        if !safe_rel(rel) || !rel.starts_with("raw/") {
            return Err(BundleError::BadRawPath(rel.to_string()));
        }
        Ok(self.root.join(rel))
    }

    /// Ends the recording: records the end, rewrites `meta.json` with the final status and
    /// writes `MANIFEST.sha256` over every covered file.
    pub fn finish(
        mut self,
        host_us: i64,
        state: RecordingState,
        reason: Option<String>,
    ) -> Result<PathBuf, BundleError> {
        self.record(
            host_us,
            HarnessRecord::End {
                state,
                reason: reason.clone(),
            },
        )?;
        self.harness.sync_all()?;
        self.meta.status = Status { state, reason };
        self.meta.ended_host_us = Some(host_us);
        self.write_meta()?;
        write_manifest(&self.root)?;
        Ok(self.root)
    }
}

/// Writes `MANIFEST.sha256` for meta.json, harness.jsonl and raw/** (sorted, `sha256sum`
/// format, so `sha256sum -c MANIFEST.sha256` verifies it too).
pub fn write_manifest(root: &Path) -> Result<(), BundleError> {
    let mut text = String::new();
    for f in covered_files(root)? {
        let h = sha256_file(&root.join(&f))?;
        text.push_str(&h);
        text.push_str("  ");
        text.push_str(&f);
        text.push('\n');
    }
    let tmp = root.join(".manifest.tmp");
    fs::write(&tmp, text)?;
    fs::rename(tmp, root.join(MANIFEST_FILE))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Meta {
        Meta::new(
            "0.1.0",
            1_700_000_000_000_000,
            AppInfo {
                package: "com.example".into(),
                ..AppInfo::default()
            },
            DeviceInfo {
                serial: "emulator-5554".into(),
                ..DeviceInfo::default()
            },
        )
    }

    #[test]
    fn a_finished_bundle_round_trips_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        let mut w = BundleWriter::create(&root, meta()).unwrap();
        w.record(
            1,
            HarnessRecord::Marker {
                message: "hello".into(),
            },
        )
        .unwrap();
        w.write_raw("raw/appops/001.txt", b"x\n").unwrap();
        let mut f = w.append_raw("raw/logcat.txt").unwrap();
        f.write_all(b"line\n").unwrap();
        w.finish(2, RecordingState::Complete, None).unwrap();

        let b = Bundle::open(&root).unwrap();
        assert!(b.is_complete(), "{:?}", b.incomplete);
        assert!(b.integrity.is_intact(), "{:?}", b.integrity);
        assert_eq!(b.harness.len(), 2);
        assert_eq!(
            b.raw_files().unwrap(),
            vec!["raw/appops/001.txt", "raw/logcat.txt"]
        );
    }

    #[test]
    fn an_edited_raw_file_is_a_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        let w = BundleWriter::create(&root, meta()).unwrap();
        w.write_raw("raw/logcat.txt", b"original\n").unwrap();
        w.finish(2, RecordingState::Complete, None).unwrap();
        fs::write(root.join("raw/logcat.txt"), b"edited\n").unwrap();
        fs::write(root.join("raw/extra.txt"), b"new\n").unwrap();
        let b = Bundle::open(&root).unwrap();
        assert_eq!(b.integrity.modified, vec!["raw/logcat.txt"]);
        assert_eq!(b.integrity.unlisted, vec!["raw/extra.txt"]);
        assert!(!b.integrity.is_intact());
    }

    #[test]
    fn a_bundle_cut_off_mid_line_loads_incomplete() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        let mut w = BundleWriter::create(&root, meta()).unwrap();
        w.record(
            1,
            HarnessRecord::Marker {
                message: "a".into(),
            },
        )
        .unwrap();
        drop(w);
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(root.join(HARNESS_FILE))
            .unwrap();
        f.write_all(br#"{"seq":2,"host_us":5,"record":{"type":"mar"#)
            .unwrap();
        let b = Bundle::open(&root).unwrap();
        assert!(!b.is_complete());
        assert_eq!(b.harness.len(), 1);
        assert!(
            b.incomplete
                .iter()
                .any(|r| r.contains("cut off mid-line at line 2")),
            "{:?}",
            b.incomplete
        );
        assert!(b.incomplete.iter().any(|r| r.contains("never finished")));
    }

    #[test]
    fn a_bundle_killed_while_sealing_names_why_it_was_stopping() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        let mut w = BundleWriter::create(&root, meta()).unwrap();
        w.update_meta(|m| m.status.reason = Some("stopped by SIGTERM".into()))
            .unwrap();
        drop(w);
        let b = Bundle::open(&root).unwrap();
        assert_eq!(b.meta.status.state, RecordingState::Recording);
        assert_eq!(
            b.incomplete[0],
            "the recording never finished: it was stopping (stopped by SIGTERM) when the \
             recorder was killed"
        );
    }

    #[test]
    fn a_corrupt_middle_line_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        let w = BundleWriter::create(&root, meta()).unwrap();
        drop(w);
        fs::write(root.join(HARNESS_FILE), "garbage\n{\"seq\":1}\n").unwrap();
        let e = Bundle::open(&root).unwrap_err().to_string();
        assert!(e.contains("harness.jsonl line 1"), "{e}");
    }

    #[test]
    fn raw_paths_cannot_escape() {
        let dir = tempfile::tempdir().unwrap();
        let w = BundleWriter::create(dir.path().join("b"), meta()).unwrap();
        for bad in ["../x", "raw/../../x", "/etc/passwd", "meta.json", "raw/./x"] {
            assert!(w.write_raw(bad, b"").is_err(), "{bad}");
        }
    }

    #[test]
    fn not_a_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let e = Bundle::open(dir.path()).unwrap_err();
        assert!(matches!(e, BundleError::NotABundle { .. }));
    }
}
