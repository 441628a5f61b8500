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

mod safe;

use crate::{Micros, Source};
use fs_err as fs;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{self, BufRead, Read, Write};
use std::path::{Component, Path, PathBuf};

pub use safe::FileKind;
use safe::Opened;

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

/// Largest `meta.json` read (it holds the scenario text; Prior writes a few KiB).
pub const MAX_META_BYTES: u64 = 8 << 20;
/// Largest `harness.jsonl` read (read line by line; every record is kept in memory).
pub const MAX_HARNESS_BYTES: u64 = 64 << 20;
/// Largest `MANIFEST.sha256` read (read line by line; ~100 bytes per covered file).
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;
/// Most entries (files, directories, anything else) walked under `raw/`.
pub const MAX_RAW_ENTRIES: usize = 100_000;
/// Deepest directory nesting walked under `raw/` (Prior writes two levels).
pub const MAX_RAW_DEPTH: usize = 16;
/// Largest plausible `meta.device.clock_offset_us` (device − host), either sign: one day. A
/// larger offset would move every capture time by more than the session lasts; the bundle is
/// then reported as having an implausible value (an integrity problem), never saturated.
pub const MAX_CLOCK_OFFSET_US: i64 = 86_400 * 1_000_000;

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
    /// A path to read is not a plain relative path inside the bundle.
    #[error("read {0:?}: not a plain relative path inside the bundle")]
    BadPath(String),
    /// The target directory for a new bundle exists and is not empty.
    #[error("create bundle at {0}: the directory exists and is not empty")]
    NotEmpty(PathBuf),
    /// A bundle file is a symbolic link, FIFO, device, socket or directory (or is reached
    /// through one). Nothing is read from it and no link is followed.
    #[error(
        "read {file}: it is {}, not a regular file (a bundle may hold only regular files and \
         directories; Prior never follows a symbolic link inside a bundle)",
        kind.describe()
    )]
    NotRegular {
        /// Bundle-relative path.
        file: String,
        /// What it is.
        kind: FileKind,
    },
    /// A bundle file is larger than Prior reads.
    #[error("read {file}: it is {size} bytes, more than the {cap} bytes Prior reads")]
    TooLarge {
        /// Bundle-relative path.
        file: String,
        /// Its size (or the bytes read before giving up).
        size: u64,
        /// The cap.
        cap: u64,
    },
    /// `raw/` holds more entries, or deeper directories, than Prior walks.
    #[error(
        "list {RAW_DIR}/: more than {MAX_RAW_ENTRIES} entries or deeper than {MAX_RAW_DEPTH} levels"
    )]
    TooManyEntries,
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
    /// The scenario's `expect:` block, typed (bundles written before issue 14 have none: the
    /// analyzer then parses it from `text`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<crate::expect::Expect>,
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
    /// The built-in rule profile named by the scenario (analysis may choose another). Only
    /// ever a built-in name: a bundle cannot make Prior read a profile file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The rule profile the recording was made for, by content: written at recording time
    /// so that an analysis under another profile (or an edited file) says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_used: Option<ProfileRecord>,
}

/// The rule profile a recording was made for (`meta.json` `profile_used`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ProfileRecord {
    /// The profile's own `name`.
    pub name: String,
    /// The profile file as given on the command line or in the scenario, when it was a file
    /// (for people only: Prior never opens a path a bundle names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// sha256 of the profile's TOML text (a built-in profile's embedded text), lowercase hex.
    pub sha256: String,
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
            profile_used: None,
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
    /// Prior's tap did not take: the same consent screen was still up in every UI dump for a
    /// while after it (e.g. an "I have read and agree" box left unticked, so the app ignored
    /// the accept button). The screen was not answered.
    ConsentTapIneffective {
        /// What the tap tried.
        action: ConsentAction,
        /// Device time of the last dump that still showed the screen.
        device_us: Micros,
        /// That dump, relative to the bundle root.
        ui_file: String,
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
    /// Entries that are not regular files or directories (symbolic links, FIFOs, devices,
    /// sockets), listed or not, as `path (what it is)`: never read, never followed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub irregular: Vec<String>,
    /// Values in the bundle's files that cannot be true of a recording (e.g. a device clock
    /// offset beyond [`MAX_CLOCK_OFFSET_US`]), in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implausible: Vec<String>,
}

impl Integrity {
    /// True when a manifest exists, every file matches it and nothing is irregular or
    /// implausible.
    pub fn is_intact(&self) -> bool {
        self.manifest_present && self.modified.is_empty() && self.missing.is_empty() && {
            self.unlisted.is_empty() && self.is_sound()
        }
    }

    /// True when no entry is irregular and no value implausible (whether or not the bundle
    /// was sealed): a bundle that is not sound is not analysed unless modification is
    /// explicitly allowed.
    pub fn is_sound(&self) -> bool {
        self.irregular.is_empty() && self.implausible.is_empty()
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
    /// Whether `harness.jsonl` exists (an empty `harness` may be a missing file or an
    /// empty one).
    pub harness_present: bool,
    /// Why the bundle is incomplete; empty when it is complete.
    pub incomplete: Vec<String>,
    /// The manifest check.
    pub integrity: Integrity,
}

impl Bundle {
    /// Opens a bundle, reading meta and harness and verifying the manifest. Every file is
    /// opened without following links ([`FileKind`]) and read up to its cap
    /// ([`MAX_META_BYTES`], [`MAX_HARNESS_BYTES`], [`MAX_MANIFEST_BYTES`]).
    pub fn open(root: impl AsRef<Path>) -> Result<Bundle, BundleError> {
        let root = root.as_ref().to_path_buf();
        let meta_path = root.join(META_FILE);
        let meta_text = match open_file_in(&root, META_FILE)? {
            Some((f, size)) => read_capped(f, size, META_FILE, MAX_META_BYTES)?,
            None => return Err(BundleError::NotABundle { path: root }),
        };
        let meta: Meta =
            serde_json::from_slice(&meta_text).map_err(|e| BundleError::Malformed {
                file: meta_path.clone(),
                line: Some(e.line() as u64),
                message: e.to_string(),
            })?;
        drop(meta_text);
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
        let (harness, harness_present) = match open_file_in(&root, HARNESS_FILE)? {
            Some((f, size)) => (read_harness(&root, f, size, &mut incomplete)?, true),
            None => {
                incomplete.push(format!("{HARNESS_FILE} is missing"));
                (Vec::new(), false)
            }
        };
        if meta.status.state == RecordingState::Complete && harness_present {
            let ended = harness
                .iter()
                .any(|e| matches!(e.record, HarnessRecord::End { .. }));
            if harness.is_empty() {
                incomplete.push(format!(
                    "{HARNESS_FILE} is empty although {META_FILE} says the recording is complete"
                ));
            } else if !ended {
                incomplete.push(format!(
                    "{HARNESS_FILE} has no `end` record although {META_FILE} says the recording \
                     is complete"
                ));
            }
        }
        let mut integrity = verify_manifest(&root)?;
        if !integrity.manifest_present {
            incomplete.push(format!(
                "{MANIFEST_FILE} is missing (the bundle was never sealed)"
            ));
        }
        if let Some(o) = meta.device.clock_offset_us
            && o.checked_abs().is_none_or(|a| a > MAX_CLOCK_OFFSET_US)
        {
            integrity.implausible.push(format!(
                "{META_FILE} device.clock_offset_us is {o} µs: the device clock cannot be more \
                 than a day ({MAX_CLOCK_OFFSET_US} µs) off the host's"
            ));
        }
        Ok(Bundle {
            root,
            meta,
            harness,
            harness_present,
            incomplete,
            integrity,
        })
    }

    /// True when the recording finished normally and the bundle was sealed.
    pub fn is_complete(&self) -> bool {
        self.incomplete.is_empty()
    }

    /// Absolute path of a bundle-relative file (for messages: read files with
    /// [`Bundle::open_file`], which never follows a link).
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Opens a bundle file for reading: `None` when absent; an error when `rel` is not a
    /// plain relative path or the entry (or a directory on its way) is not a regular file
    /// ([`BundleError::NotRegular`]). Returns the file and its size.
    pub fn open_file(&self, rel: &str) -> Result<Option<(std::fs::File, u64)>, BundleError> {
        open_file_in(&self.root, rel)
    }

    /// Reads a whole bundle file of at most `cap` bytes ([`BundleError::TooLarge`] beyond),
    /// `None` when absent; like [`Bundle::open_file`] it never follows a link.
    pub fn read_file(&self, rel: &str, cap: u64) -> Result<Option<Vec<u8>>, BundleError> {
        read_file_in(&self.root, rel, cap)
    }

    /// sha256 of a bundle file, lowercase hex (streaming; `None` when absent; never follows
    /// a link).
    pub fn sha256_of(&self, rel: &str) -> Result<Option<String>, BundleError> {
        match open_file_in(&self.root, rel)? {
            Some((f, _)) => Ok(Some(sha256_reader(f)?)),
            None => Ok(None),
        }
    }

    /// Every regular file under `raw/`, bundle-relative with `/` separators, sorted
    /// (irregular entries are in [`Integrity::irregular`]).
    pub fn raw_files(&self) -> Result<Vec<String>, BundleError> {
        let mut out = Vec::new();
        let mut irregular = Vec::new();
        walk_raw(&self.root, &mut out, &mut irregular)?;
        out.sort();
        Ok(out)
    }
}

/// Opens `rel` under a bundle directory `root` without following links or blocking
/// (see [`Bundle::open_file`]); for readers that have only the directory.
pub fn open_file_in(root: &Path, rel: &str) -> Result<Option<(std::fs::File, u64)>, BundleError> {
    if !safe_rel(rel) {
        return Err(BundleError::BadPath(rel.to_string()));
    }
    match safe::open_in(root, rel).map_err(|e| io_at(root, rel, e))? {
        Opened::File(f, size) => Ok(Some((f, size))),
        Opened::Missing => Ok(None),
        Opened::Irregular(kind, _) => Err(BundleError::NotRegular {
            file: rel.to_string(),
            kind,
        }),
    }
}

/// Reads a whole file of at most `cap` bytes under a bundle directory `root` (see
/// [`Bundle::read_file`]); for readers that have only the directory.
pub fn read_file_in(root: &Path, rel: &str, cap: u64) -> Result<Option<Vec<u8>>, BundleError> {
    match open_file_in(root, rel)? {
        Some((f, size)) => read_capped(f, size, rel, cap).map(Some),
        None => Ok(None),
    }
}

fn io_at(root: &Path, rel: &str, e: io::Error) -> BundleError {
    BundleError::Io(io::Error::new(
        e.kind(),
        format!("{}: {e}", root.join(rel).display()),
    ))
}

fn read_capped(f: std::fs::File, size: u64, rel: &str, cap: u64) -> Result<Vec<u8>, BundleError> {
    match safe::read_all_capped(f, size, cap) {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(size)) => Err(BundleError::TooLarge {
            file: rel.to_string(),
            size,
            cap,
        }),
        Err(e) => Err(BundleError::Io(e)),
    }
}

/// Reads `harness.jsonl` line by line (at most [`MAX_HARNESS_BYTES`]).
fn read_harness(
    root: &Path,
    file: std::fs::File,
    size: u64,
    incomplete: &mut Vec<String>,
) -> Result<Vec<HarnessEntry>, BundleError> {
    if size > MAX_HARNESS_BYTES {
        return Err(BundleError::TooLarge {
            file: HARNESS_FILE.to_string(),
            size,
            cap: MAX_HARNESS_BYTES,
        });
    }
    let mut r = io::BufReader::new(file.take(MAX_HARNESS_BYTES + 1));
    let mut out = Vec::new();
    let mut line = Vec::new();
    let mut total = 0u64;
    let mut n = 0u64;
    loop {
        line.clear();
        let got = r.read_until(b'\n', &mut line)?;
        if got == 0 {
            break;
        }
        total += got as u64;
        if total > MAX_HARNESS_BYTES {
            return Err(BundleError::TooLarge {
                file: HARNESS_FILE.to_string(),
                size: total,
                cap: MAX_HARNESS_BYTES,
            });
        }
        n += 1;
        let ends_with_newline = line.last() == Some(&b'\n');
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        match serde_json::from_slice::<HarnessEntry>(&line) {
            Ok(e) => out.push(e),
            Err(_) if !ends_with_newline => {
                incomplete.push(format!(
                    "{HARNESS_FILE} was cut off mid-line at line {n}; that line was dropped"
                ));
            }
            Err(e) => {
                return Err(BundleError::Malformed {
                    file: root.join(HARNESS_FILE),
                    line: Some(n),
                    message: e.to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// Walks `raw/` without following links: regular files into `files`, anything else that is
/// not a directory into `irregular` as `path (what it is)`. `raw` itself not being a
/// directory is irregular too.
fn walk_raw(
    root: &Path,
    files: &mut Vec<String>,
    irregular: &mut Vec<String>,
) -> Result<(), BundleError> {
    let raw = root.join(RAW_DIR);
    match raw.symlink_metadata() {
        Ok(m) if m.is_dir() => {}
        Ok(m) => {
            irregular.push(format!(
                "{RAW_DIR} ({})",
                FileKind::of_std(m.file_type()).describe()
            ));
            return Ok(());
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(BundleError::Io(e)),
    }
    let mut seen = 0usize;
    walk(root, &raw, 1, &mut seen, files, irregular)
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    seen: &mut usize,
    files: &mut Vec<String>,
    irregular: &mut Vec<String>,
) -> Result<(), BundleError> {
    if depth > MAX_RAW_DEPTH {
        return Err(BundleError::TooManyEntries);
    }
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        *seen += 1;
        if *seen > MAX_RAW_ENTRIES {
            return Err(BundleError::TooManyEntries);
        }
        let entry = entry?;
        // The entry's own type (lstat): a link is a link, never what it points at.
        entries.push((entry.path(), entry.file_type()?));
    }
    for (path, ft) in entries {
        if ft.is_dir() {
            walk(root, &path, depth + 1, seen, files, irregular)?;
        } else if ft.is_file() {
            files.push(rel_string(root, &path));
        } else {
            irregular.push(format!(
                "{} ({})",
                rel_string(root, &path),
                FileKind::of_std(ft).describe()
            ));
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
    Ok(sha256_reader(fs::File::open(path)?)?)
}

/// sha256 of bytes, lowercase hex (e.g. a rule profile's text, recorded in `meta.json`).
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn sha256_reader(r: impl Read) -> io::Result<String> {
    let mut f = io::BufReader::with_capacity(1 << 16, r);
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

/// The regular files a manifest covers (meta, harness and everything under raw/), and the
/// irregular entries among them.
fn covered_files(root: &Path) -> Result<(Vec<String>, Vec<String>), BundleError> {
    let mut files = Vec::new();
    let mut irregular = Vec::new();
    for f in [META_FILE, HARNESS_FILE] {
        match root.join(f).symlink_metadata() {
            Ok(m) if m.is_file() => files.push(f.to_string()),
            Ok(m) => irregular.push(format!(
                "{f} ({})",
                FileKind::of_std(m.file_type()).describe()
            )),
            Err(_) => {}
        }
    }
    walk_raw(root, &mut files, &mut irregular)?;
    files.sort();
    irregular.sort();
    Ok((files, irregular))
}

fn verify_manifest(root: &Path) -> Result<Integrity, BundleError> {
    let mut integrity = Integrity::default();
    let (covered, irregular) = covered_files(root)?;
    integrity.irregular = irregular;
    let Some((file, size)) = open_file_in(root, MANIFEST_FILE)? else {
        return Ok(integrity);
    };
    integrity.manifest_present = true;
    let path = root.join(MANIFEST_FILE);
    if size > MAX_MANIFEST_BYTES {
        return Err(BundleError::TooLarge {
            file: MANIFEST_FILE.to_string(),
            size,
            cap: MAX_MANIFEST_BYTES,
        });
    }
    let mut r = io::BufReader::new(file.take(MAX_MANIFEST_BYTES + 1));
    let mut listed = std::collections::BTreeMap::new();
    let mut buf = Vec::new();
    let mut i = 0u64;
    let mut total = 0u64;
    loop {
        buf.clear();
        let got = r.read_until(b'\n', &mut buf)?;
        if got == 0 {
            break;
        }
        total += got as u64;
        i += 1;
        if total > MAX_MANIFEST_BYTES {
            return Err(BundleError::TooLarge {
                file: MANIFEST_FILE.to_string(),
                size: total,
                cap: MAX_MANIFEST_BYTES,
            });
        }
        let malformed = || BundleError::Malformed {
            file: path.clone(),
            line: Some(i),
            message: "expected `<sha256>  <path>`".to_string(),
        };
        let line = std::str::from_utf8(&buf).map_err(|_| malformed())?;
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        // `sha256sum` format: 64 hex, two spaces (or space + `*`), path.
        let parsed = line
            .split_once("  ")
            .or_else(|| line.split_once(" *"))
            .filter(|(h, _)| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some((hash, file)) = parsed else {
            return Err(malformed());
        };
        listed.insert(file.to_string(), hash.to_ascii_lowercase());
    }
    for (file, hash) in &listed {
        if !safe_rel(file) {
            integrity.missing.push(file.clone());
            continue;
        }
        match safe::open_in(root, file).map_err(|e| io_at(root, file, e))? {
            Opened::File(f, _) => {
                if &sha256_reader(f)? != hash {
                    integrity.modified.push(file.clone());
                }
            }
            Opened::Missing => integrity.missing.push(file.clone()),
            Opened::Irregular(kind, at) => {
                let entry = format!("{at} ({})", kind.describe());
                if !integrity.irregular.contains(&entry) {
                    integrity.irregular.push(entry);
                }
            }
        }
    }
    integrity.irregular.sort();
    for f in covered {
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
    let (files, _irregular) = covered_files(root)?;
    for f in files {
        let Some((file, _)) = open_file_in(root, &f)? else {
            continue;
        };
        let h = sha256_reader(file)?;
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

    fn sealed(dir: &Path) -> PathBuf {
        let root = dir.join("b");
        let mut w = BundleWriter::create(&root, meta()).unwrap();
        w.record(
            1,
            HarnessRecord::Marker {
                message: "armed".into(),
            },
        )
        .unwrap();
        w.write_raw("raw/logcat.txt", b"original\n").unwrap();
        w.finish(2, RecordingState::Complete, None).unwrap();
        root
    }

    fn mkfifo(p: &Path) {
        rustix::fs::mkfifoat(rustix::fs::CWD, p, rustix::fs::Mode::from_raw_mode(0o600)).unwrap();
    }

    #[test]
    fn a_symlink_listed_with_its_targets_hash_is_irregular_and_never_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = sealed(dir.path());
        let outside = dir.path().join("outside.txt");
        fs::write(&outside, b"secret\n").unwrap();
        fs::remove_file(root.join("raw/logcat.txt")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("raw/logcat.txt")).unwrap();
        // The attacker rewrites the manifest with the target's hash.
        let h = sha256_file(&outside).unwrap();
        let m = fs::read_to_string(root.join(MANIFEST_FILE)).unwrap();
        let m: String = m
            .lines()
            .map(|l| {
                if l.ends_with("raw/logcat.txt") {
                    format!("{h}  raw/logcat.txt\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        fs::write(root.join(MANIFEST_FILE), m).unwrap();
        let b = Bundle::open(&root).unwrap();
        assert_eq!(
            b.integrity.irregular,
            vec!["raw/logcat.txt (a symbolic link)"]
        );
        assert!(!b.integrity.is_intact() && !b.integrity.is_sound());
        let e = b.read_file("raw/logcat.txt", 1 << 20).unwrap_err();
        assert!(
            matches!(&e, BundleError::NotRegular { file, kind: FileKind::Symlink } if file == "raw/logcat.txt"),
            "{e}"
        );
        assert!(b.raw_files().unwrap().is_empty());
    }

    #[test]
    fn a_symlinked_raw_directory_and_unlisted_fifos_are_irregular() {
        let dir = tempfile::tempdir().unwrap();
        let root = sealed(dir.path());
        mkfifo(&root.join("raw/pipe"));
        let b = Bundle::open(&root).unwrap();
        assert_eq!(
            b.integrity.irregular,
            vec!["raw/pipe (a named pipe (FIFO))"]
        );
        let elsewhere = dir.path().join("elsewhere");
        fs::rename(root.join("raw"), &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join("raw")).unwrap();
        let b = Bundle::open(&root).unwrap();
        assert_eq!(b.integrity.irregular, vec!["raw (a symbolic link)"]);
        assert!(
            matches!(
                b.read_file("raw/logcat.txt", 100),
                Err(BundleError::NotRegular { .. })
            ),
            "a file reached through the linked raw/ is not read"
        );
    }

    #[test]
    fn fifos_and_links_as_meta_harness_or_manifest_are_errors_without_hanging() {
        for name in [META_FILE, HARNESS_FILE, MANIFEST_FILE] {
            let dir = tempfile::tempdir().unwrap();
            let root = sealed(dir.path());
            fs::remove_file(root.join(name)).unwrap();
            mkfifo(&root.join(name));
            let e = Bundle::open(&root).unwrap_err();
            assert!(
                matches!(&e, BundleError::NotRegular { file, kind: FileKind::Fifo } if file == name),
                "{name}: {e}"
            );
            fs::remove_file(root.join(name)).unwrap();
            std::os::unix::fs::symlink("/dev/zero", root.join(name)).unwrap();
            let e = Bundle::open(&root).unwrap_err();
            assert!(
                matches!(
                    &e,
                    BundleError::NotRegular {
                        kind: FileKind::Symlink,
                        ..
                    }
                ),
                "{name}: {e}"
            );
        }
    }

    #[test]
    fn oversized_meta_harness_and_manifest_are_refused_before_reading() {
        for (name, cap) in [
            (META_FILE, MAX_META_BYTES),
            (HARNESS_FILE, MAX_HARNESS_BYTES),
            (MANIFEST_FILE, MAX_MANIFEST_BYTES),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let root = sealed(dir.path());
            // Sparse: the size is checked before anything is read.
            fs::OpenOptions::new()
                .write(true)
                .open(root.join(name))
                .unwrap()
                .set_len(cap + 1)
                .unwrap();
            let e = Bundle::open(&root).unwrap_err();
            assert!(
                matches!(&e, BundleError::TooLarge { file, .. } if file == name),
                "{name}: {e}"
            );
        }
    }

    #[test]
    fn a_complete_bundle_without_an_end_record_is_incomplete() {
        let dir = tempfile::tempdir().unwrap();
        let root = sealed(dir.path());
        let h = fs::read_to_string(root.join(HARNESS_FILE)).unwrap();
        let kept: String = h
            .lines()
            .filter(|l| !l.contains("\"end\""))
            .map(|l| format!("{l}\n"))
            .collect();
        fs::write(root.join(HARNESS_FILE), kept).unwrap();
        let b = Bundle::open(&root).unwrap();
        assert!(
            b.incomplete.iter().any(|r| r.contains("no `end` record")),
            "{:?}",
            b.incomplete
        );
        fs::write(root.join(HARNESS_FILE), "").unwrap();
        let b = Bundle::open(&root).unwrap();
        assert!(
            b.incomplete.iter().any(|r| r.contains("is empty")),
            "{:?}",
            b.incomplete
        );
    }

    #[test]
    fn an_implausible_clock_offset_is_an_integrity_problem() {
        for (offset, plausible) in [
            (i64::MAX, false),
            (i64::MIN, false),
            (MAX_CLOCK_OFFSET_US + 1, false),
            (-MAX_CLOCK_OFFSET_US, true),
            (3_600_000_000, true),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("b");
            let mut m = meta();
            m.device.clock_offset_us = Some(offset);
            BundleWriter::create(&root, m)
                .unwrap()
                .finish(2, RecordingState::Complete, None)
                .unwrap();
            let b = Bundle::open(&root).unwrap();
            assert_eq!(b.integrity.implausible.is_empty(), plausible, "{offset}");
            assert_eq!(b.integrity.is_intact(), plausible, "{offset}");
        }
    }

    #[test]
    fn not_a_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let e = Bundle::open(dir.path()).unwrap_err();
        assert!(matches!(e, BundleError::NotABundle { .. }));
    }
}
