use crate::{DataCategory, Signal, Timing};
use serde::{Deserialize, Serialize};

/// Which collector saw an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The logcat stream (all buffers).
    Logcat,
    /// `dumpsys appops` snapshots.
    Appops,
    /// `am trace-ipc` dumps.
    Ipc,
    /// UI dumps and screenshots.
    Ui,
    /// Network capture.
    Net,
    /// Prior's own harness (steps, markers, taps).
    Harness,
    /// An optional instrumentation hook (e.g. a Frida agent logging JSON).
    Hook,
    /// The honey data Prior set or read before the first launch (`raw/device/honey.json`).
    Honey,
}

impl Source {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Logcat => "logcat",
            Source::Appops => "appops",
            Source::Ipc => "ipc",
            Source::Ui => "ui",
            Source::Net => "net",
            Source::Harness => "harness",
            Source::Hook => "hook",
            Source::Honey => "honey",
        }
    }
}

/// What an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The app read (or tried to read) personal data. `Event::category` says which.
    DataAccess,
    /// The app process started.
    ProcessStart,
    /// The app process died or crashed.
    ProcessDeath,
    /// An activity of the app was displayed.
    ActivityDisplayed,
    /// A runtime-permission dialog was shown for the app.
    PermissionPrompt,
    /// The app's consent screen was seen on screen.
    ConsentShown,
    /// The consent screen was accepted.
    ConsentAccepted,
    /// The consent screen was rejected.
    ConsentRejected,
    /// The app contacted a network host.
    NetworkContact,
    /// A third-party SDK announced itself (an init log line).
    SdkActivity,
    /// A harness marker or step.
    Marker,
}

impl EventKind {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::DataAccess => "data_access",
            EventKind::ProcessStart => "process_start",
            EventKind::ProcessDeath => "process_death",
            EventKind::ActivityDisplayed => "activity_displayed",
            EventKind::PermissionPrompt => "permission_prompt",
            EventKind::ConsentShown => "consent_shown",
            EventKind::ConsentAccepted => "consent_accepted",
            EventKind::ConsentRejected => "consent_rejected",
            EventKind::NetworkContact => "network_contact",
            EventKind::SdkActivity => "sdk_activity",
            EventKind::Marker => "marker",
        }
    }
}

/// Whether an access got the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The data was handed over (an app-op `Access:`, a call that needs no permission).
    Granted,
    /// The system refused (an app-op `Reject:`, a `SecurityException`). The attempt is still
    /// evidence of intent to collect.
    Denied,
    /// The signal cannot tell (an IPC trace shows the call, not its result).
    Unknown,
}

/// Who caused an event: the app itself, a third-party SDK inside it, or the system.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// What kind of actor.
    pub kind: ActorKind,
    /// The app package or SDK name.
    pub name: String,
    /// How the actor was decided (e.g. "stack frame com.umeng.commonsdk…").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Kinds of [`Actor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// The app's own code.
    App,
    /// A third-party SDK bundled in the app.
    Sdk,
    /// The Android system.
    System,
}

/// Where in the bundle an event's evidence is: a raw file and a 1-based line, with the text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Evidence {
    /// Path relative to the bundle root, `/`-separated (e.g. `raw/logcat.txt`).
    pub file: String,
    /// 1-based line number of the first line of the evidence.
    pub line: u64,
    /// The raw text, lossily decoded as UTF-8 (several lines joined with `\n` for stacks).
    pub text: String,
}

/// One thing the app (or the system about the app) did, placed on the device clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Which collector saw it.
    pub source: Source,
    /// What it is.
    pub kind: EventKind,
    /// The personal-data category, for [`EventKind::DataAccess`] (and permission prompts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<DataCategory>,
    /// When, on the device clock.
    pub timing: Timing,
    /// The signal that identifies the access (an API or binder method, app-op, permission
    /// check or host), written as `ITelephony.getImeiForSlot`, `appop:FINE_LOCATION`,
    /// `host:alog.umeng.com` ([`Signal`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<Signal>,
    /// Whether the access got the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Process id on the device, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// Linux uid on the device, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Who did it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    /// A one-line human description.
    pub detail: String,
    /// Where the evidence is.
    pub evidence: Evidence,
}
