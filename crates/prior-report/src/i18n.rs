//! The language of the human-readable reports (`--lang en|zh`): the text summary and the
//! HTML page. Machine formats (JSON, SARIF, JUnit) stay English whatever the language.
//!
//! Every user-facing string of those two reports is looked up here by key in one table per
//! language, [`EN`] and [`ZH`]; a unit test fails when a key is in one table and not the
//! other, when a placeholder differs, or when a Chinese value is a copy of the English one.
//! Strings with values take `{name}` placeholders, filled by [`tf`].
//!
//! The Chinese wording uses the terms of Chinese regulators where they exist (MIIT Notice 164,
//! GB/T 41391-2022, the Personal Information Protection Law): 个人信息 (personal
//! information), 隐私政策 (privacy policy), 同意 (consent), 拒绝 (reject), 收集 (collect),
//! 第三方SDK (third-party SDK), 剪切板 (clipboard), 设备标识符 (device identifiers). Rule ids,
//! API names, source names (`logcat`, `ipc`), file names and evidence stay as they are: they
//! are identifiers to search for, not prose.

use prior_analyze::Report;
use prior_analyze::report::{ConsentMethod, CoverageReason, ReportFinding, SourceStatus};
use prior_model::{ActorKind, ConsentOutcome, DataCategory, Phase, Severity, Verdict};

/// A report language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The BCP 47 tag for the HTML `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    fn table(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::En => EN,
            Lang::Zh => ZH,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "zh" | "zh-cn" | "zh-hans" => Ok(Lang::Zh),
            other => Err(format!("unknown report language {other:?} (en or zh)")),
        }
    }
}

/// The string for `key`; English when the language lacks it (a test keeps the tables equal),
/// the key itself when no table has it.
pub(crate) fn t(lang: Lang, key: &'static str) -> &'static str {
    lookup(lang.table(), key)
        .or_else(|| lookup(EN, key))
        .unwrap_or(key)
}

fn lookup(table: &'static [(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The string for `key` with its `{name}` placeholders replaced.
pub(crate) fn tf(lang: Lang, key: &'static str, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// Every string of a language, for the HTML template (`t.KEY`).
pub(crate) fn all(lang: Lang) -> std::collections::BTreeMap<&'static str, &'static str> {
    EN.iter()
        .map(|(k, _)| (*k, t(lang, k)))
        .collect::<std::collections::BTreeMap<_, _>>()
}

/// A personal-data category's name.
pub(crate) fn category(lang: Lang, c: DataCategory) -> &'static str {
    match lang {
        Lang::En => c.label(),
        Lang::Zh => match c {
            DataCategory::DeviceIdentifiers => "设备标识符",
            DataCategory::NetworkIdentifiers => "网络标识信息",
            DataCategory::Location => "位置信息",
            DataCategory::Contacts => "通讯录",
            DataCategory::CallLog => "通话记录",
            DataCategory::Sms => "短信",
            DataCategory::Calendar => "日历",
            DataCategory::Accounts => "账户信息",
            DataCategory::InstalledApps => "已安装应用列表",
            DataCategory::Clipboard => "剪切板",
            DataCategory::Camera => "摄像头",
            DataCategory::Microphone => "麦克风",
            DataCategory::PhoneNumber => "手机号码",
            DataCategory::Media => "媒体和存储",
            DataCategory::Sensors => "传感器",
        },
    }
}

/// A verdict in capitals (`FAIL`, `不通过`).
pub(crate) fn verdict(lang: Lang, v: Verdict) -> &'static str {
    match v {
        Verdict::Fail => t(lang, "verdict.fail"),
        Verdict::Pass => t(lang, "verdict.pass"),
        Verdict::Inconclusive => t(lang, "verdict.inconclusive"),
    }
}

/// A severity word.
pub(crate) fn severity(lang: Lang, s: Severity) -> &'static str {
    match s {
        Severity::High => t(lang, "severity.high"),
        Severity::Medium => t(lang, "severity.medium"),
        Severity::Low => t(lang, "severity.low"),
        Severity::Info => t(lang, "severity.info"),
    }
}

/// A phase, relative to the consent answer: after a refusal, `after rejection`.
pub(crate) fn phase(lang: Lang, p: Phase, outcome: ConsentOutcome) -> &'static str {
    let rejected = outcome == ConsentOutcome::Rejected;
    match (p, rejected) {
        (Phase::BeforeConsent, false) => t(lang, "phase.before"),
        (Phase::BeforeConsent, true) => t(lang, "phase.before_rejection"),
        (Phase::AtConsent, false) => t(lang, "phase.at"),
        (Phase::AtConsent, true) => t(lang, "phase.at_rejection"),
        (Phase::AfterConsent, false) => t(lang, "phase.after"),
        (Phase::AfterConsent, true) => t(lang, "phase.after_rejection"),
    }
}

/// The consent outcome in words.
pub(crate) fn outcome(lang: Lang, o: ConsentOutcome) -> &'static str {
    match o {
        ConsentOutcome::Accepted => t(lang, "outcome.accepted"),
        ConsentOutcome::Rejected => t(lang, "outcome.rejected"),
        ConsentOutcome::Unanswered => t(lang, "outcome.unanswered"),
        ConsentOutcome::NeverShown => t(lang, "outcome.never_shown"),
    }
}

/// How the consent moment was established.
pub(crate) fn method(lang: Lang, m: ConsentMethod) -> &'static str {
    match m {
        ConsentMethod::LogcatMarkers => t(lang, "method.logcat_markers"),
        ConsentMethod::BeginMarkerOnly => t(lang, "method.begin_marker_only"),
        ConsentMethod::UiObservation => t(lang, "method.ui_observation"),
        ConsentMethod::ConsentMissing => t(lang, "method.consent_missing"),
        ConsentMethod::NotAnswered => t(lang, "method.not_answered"),
        ConsentMethod::NoRecord => t(lang, "method.no_record"),
        ConsentMethod::MarkersNotFound => t(lang, "method.markers_not_found"),
        ConsentMethod::TapIneffective => t(lang, "method.tap_ineffective"),
    }
}

/// A source's coverage state.
pub(crate) fn status(lang: Lang, s: SourceStatus) -> &'static str {
    match s {
        SourceStatus::Analysed => t(lang, "status.analysed"),
        SourceStatus::Partial => t(lang, "status.partial"),
        SourceStatus::Unavailable => t(lang, "status.unavailable"),
        SourceStatus::Failed => t(lang, "status.failed"),
    }
}

/// Why a source is not analysed.
pub(crate) fn reason(lang: Lang, r: CoverageReason) -> &'static str {
    match lang {
        Lang::En => r.label(),
        Lang::Zh => match r {
            CoverageReason::UserBuild => "user 版本系统",
            CoverageReason::ApiLevel => "API 级别不支持",
            CoverageReason::CommandRefused => "命令被设备拒绝",
            CoverageReason::NotStarted => "未录制",
            CoverageReason::Reported => "录制程序报告了问题",
            CoverageReason::FilesMissing => "文件缺失",
            CoverageReason::CutOff => "输出被截断",
            CoverageReason::Unreadable => "无法读取",
            CoverageReason::NoOutput => "没有该应用的输出",
            CoverageReason::Unplaced => "部分记录无法定位",
        },
    }
}

/// What kind of event it was.
pub(crate) fn event_kind(lang: Lang, k: prior_model::EventKind) -> &'static str {
    use prior_model::EventKind as K;
    match k {
        K::DataAccess => t(lang, "kind.data_access"),
        K::ProcessStart => t(lang, "kind.process_start"),
        K::ProcessDeath => t(lang, "kind.process_death"),
        K::ActivityDisplayed => t(lang, "kind.activity_displayed"),
        K::PermissionPrompt => t(lang, "kind.permission_prompt"),
        K::ConsentShown => t(lang, "kind.consent_shown"),
        K::ConsentAccepted => t(lang, "kind.consent_accepted"),
        K::ConsentRejected => t(lang, "kind.consent_rejected"),
        K::NetworkContact => t(lang, "kind.network_contact"),
        K::SdkActivity => t(lang, "kind.sdk_activity"),
        K::Marker => t(lang, "kind.marker"),
    }
}

/// Why the session is incomplete, one line each. English is the analyzer's list; in
/// Chinese, the sentences about sources that were not analysed are composed from their
/// state, and the others (the recorder's own words) are kept, marked as English.
pub(crate) fn incomplete_lines(lang: Lang, r: &Report) -> Vec<String> {
    if lang == Lang::En {
        return r.incomplete.clone();
    }
    let mut out: Vec<String> = r
        .blind_sources()
        .map(|s| {
            let mut state = status(lang, s.status).to_string();
            if let Some(why) = s.reason {
                state.push_str(&format!("（{}）", reason(lang, why)));
            }
            if let Some(d) = &s.detail {
                state.push('：');
                state.push_str(d);
            }
            let src = s.source.as_str();
            if s.required {
                tf(
                    lang,
                    "incomplete.required",
                    &[
                        ("source", src),
                        ("state", &state),
                        ("profile", &r.profile.name),
                    ],
                )
            } else {
                tf(
                    lang,
                    "incomplete.source",
                    &[("source", src), ("state", &state)],
                )
            }
        })
        .collect();
    out.extend(
        r.incomplete_besides_sources()
            .map(|i| format!("{}{i}", t(lang, "msg.untranslated"))),
    );
    out
}

/// The kind of an actor (`SDK`, `the app`, `system`).
pub(crate) fn actor_kind(lang: Lang, k: ActorKind) -> &'static str {
    match k {
        ActorKind::App => t(lang, "actor.app"),
        ActorKind::Sdk => t(lang, "actor.sdk"),
        ActorKind::System => t(lang, "actor.system"),
    }
}

/// A finding's one-sentence explanation. English is the analyzer's own sentence; Chinese is
/// composed here from the finding's fields (rule, actor, category, API, count, outcome), so
/// nothing of the analyzer's English reaches a Chinese page. A rule this table does not know
/// keeps the analyzer's sentence, prefixed with a note that it is English.
/// "seen by: logcat, appops, ipc (4 signals, one access)" for one access seen by several
/// collectors (issue 14); `None` when one collector saw it.
pub(crate) fn seen_by(lang: Lang, f: &ReportFinding) -> Option<String> {
    (f.seen_by.len() > 1).then(|| {
        let names: Vec<&str> = f.seen_by.iter().map(|s| s.as_str()).collect();
        tf(
            lang,
            "text.seen_by",
            &[
                ("sources", &names.join(", ")),
                ("n", &f.signals.to_string()),
            ],
        )
    })
}

pub(crate) fn finding_message(lang: Lang, r: &Report, f: &ReportFinding) -> String {
    if lang == Lang::En {
        return f.message.clone();
    }
    let who = f
        .actor
        .as_ref()
        .map(|a| match a.kind {
            ActorKind::Sdk => tf(lang, "msg.who_sdk", &[("name", &a.name)]),
            _ => a.name.clone(),
        })
        .unwrap_or_else(|| r.app.package.clone());
    let cat = f.category.map(|c| category(lang, c)).unwrap_or("");
    let api = f
        .api
        .as_ref()
        .map(|a| format!("（{a}）"))
        .unwrap_or_default();
    let n = f.events.to_string();
    let args = [
        ("who", who.as_str()),
        ("category", cat),
        ("api", api.as_str()),
        ("n", n.as_str()),
    ];
    let key = match f.rule.as_str() {
        "pre-consent-access" => "msg.pre_consent_access",
        "at-consent-access" => "msg.at_consent_access",
        "access-after-reject" => "msg.access_after_reject",
        "no-consent-screen" => "msg.no_consent_screen",
        "permission-prompt-before-consent" => "msg.permission_prompt_before_consent",
        "tracker-contact-before-consent" => "msg.tracker_contact_before_consent",
        "tracker-contact-after-reject" => "msg.tracker_contact_after_reject",
        "transmission-before-consent" => "msg.transmission_before_consent",
        _ => return format!("{}{}", t(lang, "msg.untranslated"), f.message),
    };
    let mut s = tf(lang, key, &args);
    let o = &f.outcomes;
    let tail = if f.category.is_none()
        || matches!(
            f.source,
            prior_model::Source::Net | prior_model::Source::Http
        ) {
        None
    } else if o.denied > 0 && o.granted == 0 && o.unknown == 0 {
        Some("msg.all_denied")
    } else if o.granted > 0 {
        Some("msg.granted")
    } else {
        Some("msg.attempt_only")
    };
    if let Some(k) = tail {
        s.push_str(t(lang, k));
    }
    if f.source != prior_model::Source::Http && f.seen_by.contains(&prior_model::Source::Http) {
        s.push_str(t(lang, "msg.transmitted_too"));
    }
    s
}

/// English strings. Keep every key here and in [`ZH`] (a test checks).
pub(crate) static EN: &[(&str, &str)] = &[
    // Verdicts and severities.
    ("verdict.fail", "FAIL"),
    ("verdict.pass", "PASS"),
    ("verdict.inconclusive", "INCONCLUSIVE"),
    ("severity.high", "HIGH"),
    ("severity.medium", "MEDIUM"),
    ("severity.low", "LOW"),
    ("severity.info", "INFO"),
    ("headline.n_high", "{n} high"),
    ("headline.n_medium", "{n} medium"),
    ("headline.n_low", "{n} low"),
    // Headline.
    (
        "headline.fail",
        "FAIL, {violations}{counts}{info}{incomplete}",
    ),
    ("headline.pass", "PASS, no violation{info}"),
    (
        "headline.inconclusive",
        "INCONCLUSIVE, no violation found but the session is incomplete{info}",
    ),
    (
        "headline.inconclusive_blind",
        "INCONCLUSIVE, no violation found but not every source was analysed: {blind}{info}",
    ),
    ("headline.violation_one", "1 violation"),
    ("headline.violations", "{n} violations"),
    ("headline.counts", " ({list})"),
    ("headline.note_one", ", 1 note"),
    ("headline.notes", ", {n} notes"),
    ("headline.incomplete", " (session incomplete)"),
    (
        "headline.incomplete_blind",
        " (session incomplete; not analysed: {blind})",
    ),
    ("list.sep", ", "),
    // Phases and consent.
    ("phase.before", "before consent"),
    ("phase.before_rejection", "before rejection"),
    ("phase.at", "at consent"),
    ("phase.at_rejection", "at rejection"),
    ("phase.after", "after consent"),
    ("phase.after_rejection", "after rejection"),
    ("outcome.accepted", "accepted"),
    ("outcome.rejected", "REJECTED"),
    ("outcome.unanswered", "not answered"),
    ("outcome.never_shown", "NEVER SHOWN"),
    ("method.logcat_markers", "logcat markers around Prior's tap"),
    (
        "method.begin_marker_only",
        "begin marker only; window runs to the end of the capture",
    ),
    (
        "method.ui_observation",
        "observed in UI dumps (manual mode)",
    ),
    (
        "method.consent_missing",
        "Prior saw no consent screen within its timeout",
    ),
    (
        "method.not_answered",
        "shown, never answered during the session",
    ),
    ("method.no_record", "no consent record in the session"),
    (
        "method.markers_not_found",
        "tap recorded but its markers are missing: moment unknown",
    ),
    ("consent.shown_at", "shown {time}"),
    // Times.
    ("time.at", "at {t}"),
    ("time.between", "{from} – {to}"),
    ("time.clamped_mark", " [clamped]"),
    ("rel.before_consent", "{d} before consent"),
    ("rel.after_consent", "{d} after consent"),
    ("rel.at_consent", "at the consent answer"),
    ("rel.before_rejection", "{d} before rejection"),
    ("rel.after_rejection", "{d} after rejection"),
    ("rel.at_rejection", "at the rejection"),
    ("rel.range", "{from} to {to}"),
    ("rel.no_answer", "no consent answer"),
    ("time.seconds", "{s} s"),
    // Event kinds (Chinese tooltips; English keeps the analyzer's words).
    ("kind.data_access", "personal-data access"),
    ("kind.process_start", "app process started"),
    ("kind.process_death", "app process died"),
    ("kind.activity_displayed", "activity displayed"),
    ("kind.permission_prompt", "runtime-permission prompt"),
    ("kind.consent_shown", "consent screen shown"),
    ("kind.consent_accepted", "consent accepted"),
    ("kind.consent_rejected", "consent rejected"),
    ("kind.network_contact", "network contact"),
    ("kind.sdk_activity", "SDK activity"),
    ("kind.marker", "Prior marker"),
    ("kind.launch", "app launched"),
    // Actors.
    ("actor.app", "the app"),
    ("actor.sdk", "SDK"),
    ("actor.system", "system"),
    ("group.sdk", "SDK {name}"),
    ("group.app", "The app itself ({name})"),
    ("group.system", "System ({name})"),
    ("group.none", "Actor not determined"),
    ("actor.not_determined", "not determined"),
    // Text report.
    (
        "text.simulated1",
        " SIMULATED DEVICE: this session ran on Prior's simulated handset, not on Android.",
    ),
    (
        "text.simulated2",
        " Its findings demonstrate Prior; they say nothing about the real app.",
    ),
    ("text.title", "Prior consent check: {headline}"),
    ("text.f.app", "app"),
    ("text.f.device", "device"),
    ("text.f.profile", "profile"),
    ("text.f.consent", "consent"),
    ("text.f.bundle", "bundle"),
    ("text.no_findings", "No findings."),
    ("text.findings", "Findings ({n}), grouped by who collected:"),
    ("text.by", "by {name} ({kind})"),
    ("text.decided_by", "decided by {reason}"),
    (
        "text.seen_by",
        "seen by: {sources} ({n} signals, one access)",
    ),
    ("text.more_evidence_one", "(+1 more piece of evidence)"),
    ("text.more_evidence", "(+{n} more pieces of evidence)"),
    (
        "text.clean_before",
        "No access before consent seen for: {list}.",
    ),
    (
        "text.clean_before_rej",
        "No access before the rejection seen for: {list}.",
    ),
    (
        "incomplete.required",
        "required source {source} is {state} (profile {profile} requires it analysed)",
    ),
    ("incomplete.source", "source {source} is {state}"),
    ("text.sources", "Sources: {list}."),
    (
        "text.timeline",
        "Timeline: {n} events ({m} personal-data accesses).",
    ),
    (
        "text.incomplete",
        "Incomplete session, so a clean result proves nothing:",
    ),
    (
        "text.simulated_end",
        "(SIMULATED device: not a real Android run.)",
    ),
    (
        "text.windows_note",
        "Times \"A – B\" are windows: the access happened somewhere between A and B (IPC traces carry no timestamps, only the span they were recorded over).",
    ),
    (
        "text.clamped_note",
        "[clamped]: clock placement put the start of this window before the app's process started, which an access by the app cannot do; it is shown from the process start.",
    ),
    ("text.uid", ", uid {uid}"),
    ("text.uid_unknown", ", uid unknown"),
    ("text.no_serial", "(no serial)"),
    ("text.simulated", "SIMULATED"),
    ("text.emulator", "emulator"),
    ("text.lines", " {n} lines"),
    ("text.file_one", " 1 file"),
    ("text.files", " {n} files"),
    ("text.required", "required"),
    ("text.seal_none", "not sealed (no MANIFEST.sha256)"),
    ("text.seal_ok", "sealed, MANIFEST.sha256 verified"),
    (
        "text.seal_bad",
        "DOES NOT MATCH MANIFEST.sha256 OR IS NOT SOUND ({parts}); analysed only because that was allowed",
    ),
    ("text.modified", "modified"),
    ("text.irregular", "not a regular file, never read"),
    ("text.counts_new", "NEW since the baseline: counts"),
    ("text.not_counted", "does not count: {why}"),
    ("text.implausible", "implausible"),
    ("text.profile_file", "from file {file}, sha256 {sha256}"),
    ("text.profile_note", "NOTE: {note}"),
    ("text.missing", "missing"),
    ("text.unlisted", "unlisted"),
    ("text.scenario", ", scenario {name}"),
    ("text.status.complete", "complete"),
    ("text.status.incomplete", "incomplete"),
    ("text.status.recording", "recording"),
    // Statuses.
    ("status.analysed", "analysed"),
    ("status.partial", "partial"),
    ("status.unavailable", "unavailable"),
    ("status.failed", "failed"),
    // Finding messages (Chinese only; English keeps the analyzer's sentence).
    ("msg.who_sdk", "SDK {name}"),
    (
        "msg.pre_consent_access",
        "{who} accessed {category}{api} before the consent screen was answered ({n} events).",
    ),
    (
        "msg.at_consent_access",
        "{who} accessed {category}{api} inside the consent tap window ({n} events).",
    ),
    (
        "msg.access_after_reject",
        "{who} accessed {category}{api} after the user rejected consent ({n} events).",
    ),
    (
        "msg.no_consent_screen",
        "No consent screen was seen, yet {who} accessed {category}{api} ({n} events).",
    ),
    (
        "msg.permission_prompt_before_consent",
        "A runtime-permission prompt{api} appeared before the consent screen was answered.",
    ),
    (
        "msg.tracker_contact_before_consent",
        "{who} contacted a tracker host{api} before the consent screen was answered ({n} events).",
    ),
    (
        "msg.tracker_contact_after_reject",
        "{who} contacted a tracker host{api} after the user rejected consent ({n} events).",
    ),
    (
        "msg.all_denied",
        " The system refused every attempt; an attempt still counts.",
    ),
    (
        "msg.granted",
        " At least one attempt was answered with the data.",
    ),
    (
        "msg.attempt_only",
        " The signal shows the access attempt, not whether data was returned.",
    ),
    ("msg.untranslated", "(English) "),
    // HTML page.
    ("html.title", "Prior consent report"),
    (
        "html.simulated_banner",
        "SIMULATED DEVICE: this session ran on Prior's simulated handset, not on Android. Its findings demonstrate Prior; they say nothing about the real app.",
    ),
    ("html.simulated_handset", "SIMULATED handset"),
    ("html.app", "App"),
    ("html.device", "Device"),
    ("html.session", "Session"),
    ("html.report_by", "report by"),
    ("html.incomplete", "Incomplete session"),
    (
        "html.incomplete_p",
        "A clean result from an incomplete session proves nothing.",
    ),
    ("html.timeline", "Timeline"),
    (
        "html.tl_intro",
        "Device clock, 0 = app process start; span {span} s; {shown} of {total} events drawn.",
    ),
    ("html.tl_binned", " Binned per lane; hover for counts."),
    ("html.zoom_in", "zoom in"),
    ("html.zoom_out", "zoom out"),
    ("html.zoom_reset", "reset"),
    ("html.legend", "Legend"),
    ("html.legend_instant", "an event at one moment"),
    (
        "html.legend_window",
        "somewhere in this window: a source without timestamps (IPC trace) only says the call happened between the two ends; times of such events read \"A – B\"",
    ),
    ("html.legend_finding", "finding"),
    ("html.legend_shown", "consent screen shown"),
    ("html.legend_accepted", "consent accepted"),
    (
        "html.legend_rejected",
        "consent REJECTED: everything to its right happened after the user refused",
    ),
    (
        "html.clamped_note",
        "[clamped]: clock placement put the start of a window before the app's process start (the IPC trace was started before launch, and its window is placed on the device clock from Prior's markers). An access by the app cannot precede its process, so such times are shown from +0.000 s.",
    ),
    ("html.window_label", "somewhere in this window"),
    ("html.label_shown", "consent shown"),
    ("html.label_accepted", "consent accepted"),
    ("html.label_rejected", "consent REJECTED"),
    ("html.label_unanswered", "consent never answered"),
    ("html.events_in", "{n} events in {lane}"),
    ("html.lane_net", "network (device-wide)"),
    ("html.lane_other", "other events"),
    ("html.finding_n", "finding {n}: {rule} {api}"),
    ("html.actors_h", "Who collected what before consent"),
    (
        "html.actors_h_rejected",
        "Who collected what before the rejection",
    ),
    ("html.col_actor", "actor"),
    ("html.col_kind", "kind"),
    ("html.col_data", "data"),
    ("html.col_apis", "APIs / signals"),
    ("html.col_findings", "findings"),
    ("html.col_events", "events"),
    ("html.findings_h", "Findings ({n})"),
    ("html.no_findings", "No findings."),
    ("html.allowed", "Allowed by the scenario:"),
    ("html.until", "{reason} (until {date})"),
    ("html.m_phase", "phase"),
    ("html.m_launch", "from launch"),
    ("html.m_consent", "consent"),
    ("html.m_api", "api"),
    ("html.m_actor", "actor"),
    ("html.m_events", "events"),
    ("html.omitted", "… {n} more evidence lines omitted"),
    ("html.consent_shot", "Screenshot of the consent screen"),
    ("html.checked", "Checked"),
    ("html.col_category", "category"),
    ("html.col_signals", "signals watched"),
    ("html.col_before", "before consent"),
    ("html.col_before_rej", "before rejection"),
    ("html.col_at", "at consent"),
    ("html.col_at_rej", "at rejection"),
    ("html.col_after", "after consent"),
    ("html.col_after_rej", "after rejection"),
    ("html.col_result", "result"),
    ("html.clean", "clean"),
    ("html.violation", "violation"),
    (
        "html.signals",
        "{a} app-ops, {b} binder methods, {c} log patterns",
    ),
    ("html.sources", "Sources"),
    ("html.col_source", "source"),
    ("html.col_status", "status"),
    ("html.col_why", "why"),
    ("html.col_required", "required"),
    ("html.col_items", "items read"),
    ("html.col_note", "note"),
    ("html.yes", "yes"),
    ("html.no", "no"),
    ("html.screenshots", "Screenshots"),
    (
        "html.not_embedded",
        "(not embedded: too large or not a PNG)",
    ),
    (
        "html.footer",
        "Generated by Prior (prior-report {version}). All times are on the device clock. This file is self-contained: it loads nothing from the network.",
    ),
    ("html.k_package", "package"),
    ("html.k_version", "version"),
    ("html.k_version_code", "version code"),
    ("html.k_apk_sha256", "APK sha256"),
    ("html.k_uid", "uid"),
    ("html.k_serial", "serial"),
    ("html.k_model", "model"),
    ("html.k_api", "API level"),
    ("html.k_fingerprint", "fingerprint"),
    ("html.k_tz", "time zone"),
    ("html.k_kind", "kind"),
    ("html.kind_sim", "SIMULATED handset"),
    ("html.kind_emulator", "emulator"),
    ("html.kind_device", "device"),
    ("html.k_scenario", "scenario"),
    ("html.k_profile", "profile"),
    ("html.k_profile_file", "profile file"),
    ("html.k_profile_note", "profile note"),
    ("html.k_catalog", "catalog"),
    ("html.k_consent", "consent"),
    ("html.k_consent_answered", "consent answered"),
    ("html.k_consent_rejected", "consent rejected"),
    ("html.k_consent_shown", "consent screen shown"),
    ("html.k_recorded_by", "recorded by"),
    ("html.k_analysed_by", "analysed by"),
    ("html.k_manifest", "manifest sha256"),
    ("html.k_integrity", "integrity"),
    ("html.intact", "manifest intact"),
    ("html.not_intact", "NOT intact"),
    ("html.aria_timeline", "event timeline"),
    // --- P4 (issue 17): a consent tap the app ignored (unticked checkbox)
    (
        "method.tap_ineffective",
        "Prior tapped, but the app kept the consent screen up: not answered",
    ),
    // --- H1 (issue 14): the analysis inputs line
    ("text.f.inputs", "inputs"),
    (
        "text.inputs",
        "catalog {catalog}; SDK catalogue {sdks}; profile {profile}",
    ),
    // --- H10 (issue 18: transmissions in intercepted traffic)
    (
        "msg.transmission_before_consent",
        "{who} sent {category}{api} before the consent screen was answered ({n} matches in the intercepted traffic): the data left the device.",
    ),
    (
        "msg.transmitted_too",
        " The intercepted traffic shows this data leaving the device (transmission-before-consent).",
    ),
    (
        "text.traffic",
        "Intercepted traffic: {n} request(s) searched for {v} honey value(s), {m} match(es).",
    ),
    ("text.pinned", "Pinned connection to {host}: not decrypted."),
    // --- P2 (issue 18: transmissions in the text and HTML reports)
    (
        "text.traffic_match",
        "{phase}: {request}: {kind} {value} ({encoding}) in {place}",
    ),
    ("text.traffic_more", "(+{n} more matches)"),
    ("text.traffic_unplaced", "not placed"),
    ("html.traffic_h", "Transmissions (intercepted traffic)"),
    (
        "html.traffic_p",
        "Honey values (known values Prior set or read on the device before the launch) found in the requests the app sent through the interception proxy. Values are redacted unless the report was made with --show-values; hashes are shown as found.",
    ),
    (
        "html.traffic_none",
        "No honey value was found in the intercepted requests.",
    ),
    (
        "html.traffic_pinned",
        "Connections not decrypted (the app refused the proxy's certificate: certificate pinning, or a CA it does not trust); what was sent in them is unknown:",
    ),
    ("html.tr_when", "from launch"),
    ("html.tr_phase", "consent"),
    ("html.tr_request", "request"),
    ("html.tr_value", "value"),
    ("html.tr_encoding", "encoding"),
    ("html.tr_where", "where"),
    ("html.tr_rule", "rule"),
    // --- H6 (issue 17): the campaign report (`prior campaign merge`)
    ("campaign.title", "Campaign report"),
    (
        "campaign.headline",
        "{n} of {tested} tested apps ({pct}%) collected personal information before consent; {apps} apps in the campaign, {untested} not fully tested (never counted as clean).",
    ),
    ("campaign.warnings", "Merge warnings"),
    ("campaign.numbers", "Headline numbers"),
    (
        "campaign.by_category",
        "Apps collecting before consent, by category",
    ),
    ("campaign.by_sdk", "Apps collecting before consent, by SDK"),
    ("campaign.col_category", "Category"),
    ("campaign.col_apps", "Apps"),
    ("campaign.col_sdk", "SDK"),
    ("campaign.none", "None found."),
    ("campaign.apps", "Apps"),
    ("campaign.filter", "Filter rows…"),
    ("campaign.all", "All"),
    ("campaign.sort_hint", "Click a column heading to sort."),
    ("campaign.store_page", "store page"),
    ("campaign.col_index", "#"),
    ("campaign.col_app", "App"),
    ("campaign.col_developer", "Developer"),
    ("campaign.col_package", "Package"),
    ("campaign.col_status", "Status"),
    ("campaign.col_collects", "Collects before consent"),
    ("campaign.col_categories", "Categories before consent"),
    ("campaign.col_sdks", "Responsible SDKs"),
    ("campaign.col_apk", "APK"),
    ("campaign.col_store_url", "Store URL"),
    ("campaign.col_reports", "Reports"),
    ("campaign.col_notes", "Notes"),
    ("campaign.col_pair", "Pair"),
    ("campaign.col_scenario", "Scenario"),
    ("campaign.col_result", "Result"),
    ("campaign.col_violations", "Violations"),
    ("campaign.yes", "yes"),
    ("campaign.no", "no"),
    ("campaign.state_done", "done"),
    ("campaign.state_incomplete", "incomplete"),
    ("campaign.state_tampered", "tampered (manifest mismatch)"),
    ("campaign.state_not_run", "not run"),
    ("campaign.status_violation", "violation"),
    ("campaign.status_not_fully_tested", "not fully tested"),
    ("campaign.status_clean", "clean"),
    ("campaign.the_app", "the app itself"),
    ("campaign.rejected", "bundle not used: {path}: {reason}"),
    ("campaign.campaign", "Campaign"),
    ("campaign.h_apps", "Apps in the campaign"),
    ("campaign.h_tested", "Apps tested"),
    ("campaign.h_collecting", "Apps collecting before consent"),
    ("campaign.h_violations", "Apps with violations"),
    ("campaign.h_clean", "Apps clean in every scenario"),
    (
        "campaign.h_not_fully_tested",
        "Apps not fully tested (not clean)",
    ),
    ("campaign.h_pairs_done", "Pairs done"),
    (
        "campaign.h_pairs",
        "Pairs: total / done / incomplete / tampered / not run",
    ),
    ("campaign.sheet_apps", "Apps"),
    ("campaign.sheet_pairs", "Pairs"),
    ("campaign.sheet_summary", "Summary"),
    ("campaign.h_pairs_incomplete", "Pairs incomplete"),
    (
        "campaign.h_pairs_tampered",
        "Pairs tampered (manifest mismatch)",
    ),
    ("campaign.h_pairs_not_run", "Pairs not run"),
];

/// Simplified Chinese strings, one for every key of [`EN`].
pub(crate) static ZH: &[(&str, &str)] = &[
    ("verdict.fail", "不通过"),
    ("verdict.pass", "通过"),
    ("verdict.inconclusive", "无法判定"),
    ("severity.high", "高"),
    ("severity.medium", "中"),
    ("severity.low", "低"),
    ("severity.info", "提示"),
    ("headline.n_high", "高 {n} 项"),
    ("headline.n_medium", "中 {n} 项"),
    ("headline.n_low", "低 {n} 项"),
    (
        "headline.fail",
        "不通过：{violations}{counts}{info}{incomplete}",
    ),
    ("headline.pass", "通过：未发现违规{info}"),
    (
        "headline.inconclusive",
        "无法判定：未发现违规，但本次检测会话不完整{info}",
    ),
    (
        "headline.inconclusive_blind",
        "无法判定：未发现违规，但并非所有数据来源都已分析：{blind}{info}",
    ),
    ("headline.violation_one", "1 项违规"),
    ("headline.violations", "{n} 项违规"),
    ("headline.counts", "（{list}）"),
    ("headline.note_one", "，1 条提示"),
    ("headline.notes", "，{n} 条提示"),
    ("headline.incomplete", "（检测会话不完整）"),
    (
        "headline.incomplete_blind",
        "（检测会话不完整；未分析：{blind}）",
    ),
    ("list.sep", "、"),
    ("phase.before", "用户同意前"),
    ("phase.before_rejection", "用户拒绝前"),
    ("phase.at", "同意操作期间"),
    ("phase.at_rejection", "拒绝操作期间"),
    ("phase.after", "用户同意后"),
    ("phase.after_rejection", "用户拒绝后"),
    ("outcome.accepted", "已同意"),
    ("outcome.rejected", "已拒绝"),
    ("outcome.unanswered", "未作答"),
    ("outcome.never_shown", "从未弹出"),
    ("method.logcat_markers", "Prior 点击前后的 logcat 标记"),
    (
        "method.begin_marker_only",
        "仅有开始标记；时间窗口延续到录制结束",
    ),
    ("method.ui_observation", "由界面快照观察得到（人工模式）"),
    (
        "method.consent_missing",
        "Prior 在超时时间内未看到隐私政策同意界面",
    ),
    ("method.not_answered", "已弹出，但会话期间始终未作答"),
    ("method.no_record", "会话中没有同意记录"),
    (
        "method.markers_not_found",
        "记录了点击，但缺少其标记：时刻未知",
    ),
    ("consent.shown_at", "弹出时间 {time}"),
    ("time.at", "{t}"),
    ("time.between", "{from} – {to}"),
    ("time.clamped_mark", " [已校正]"),
    ("rel.before_consent", "同意前 {d}"),
    ("rel.after_consent", "同意后 {d}"),
    ("rel.at_consent", "与同意操作同时"),
    ("rel.before_rejection", "拒绝前 {d}"),
    ("rel.after_rejection", "拒绝后 {d}"),
    ("rel.at_rejection", "与拒绝操作同时"),
    ("rel.range", "{from} 至 {to}"),
    ("rel.no_answer", "用户未作答"),
    ("time.seconds", "{s} 秒"),
    ("kind.data_access", "个人信息访问"),
    ("kind.process_start", "应用进程启动"),
    ("kind.process_death", "应用进程退出"),
    ("kind.activity_displayed", "界面显示"),
    ("kind.permission_prompt", "运行时权限申请弹窗"),
    ("kind.consent_shown", "隐私政策同意界面弹出"),
    ("kind.consent_accepted", "用户同意"),
    ("kind.consent_rejected", "用户拒绝"),
    ("kind.network_contact", "网络连接"),
    ("kind.sdk_activity", "第三方SDK活动"),
    ("kind.marker", "Prior 标记"),
    ("kind.launch", "启动应用"),
    ("actor.app", "应用自身"),
    ("actor.sdk", "第三方SDK"),
    ("actor.system", "系统"),
    ("group.sdk", "第三方SDK {name}"),
    ("group.app", "应用自身（{name}）"),
    ("group.system", "系统（{name}）"),
    ("group.none", "收集主体未确定"),
    ("actor.not_determined", "未确定"),
    (
        "text.simulated1",
        " 模拟设备：本次检测在 Prior 的模拟手机上运行，而非真实的 Android 系统。",
    ),
    (
        "text.simulated2",
        " 其发现仅用于演示 Prior，不能说明真实应用的行为。",
    ),
    ("text.title", "Prior 隐私政策同意检测：{headline}"),
    ("text.f.app", "应用"),
    ("text.f.device", "设备"),
    ("text.f.profile", "规则集"),
    ("text.f.consent", "同意"),
    ("text.f.bundle", "证据包"),
    ("text.no_findings", "无发现。"),
    ("text.findings", "发现（{n} 项），按收集主体分组："),
    ("text.by", "收集主体 {name}（{kind}）"),
    ("text.decided_by", "判定依据 {reason}"),
    (
        "text.seen_by",
        "观测来源：{sources}（{n} 个信号，同一次访问）",
    ),
    ("text.more_evidence_one", "（另有 1 条证据）"),
    ("text.more_evidence", "（另有 {n} 条证据）"),
    (
        "text.clean_before",
        "以下类别在用户同意前未发现访问：{list}。",
    ),
    (
        "text.clean_before_rej",
        "以下类别在用户拒绝前未发现访问：{list}。",
    ),
    (
        "incomplete.required",
        "必需的数据来源 {source} {state}（规则集 {profile} 要求对其进行分析）",
    ),
    ("incomplete.source", "数据来源 {source} {state}"),
    ("text.sources", "数据来源：{list}。"),
    (
        "text.timeline",
        "时间线：{n} 个事件（{m} 次个人信息访问）。",
    ),
    (
        "text.incomplete",
        "检测会话不完整，因此“无违规”的结果不能证明任何事：",
    ),
    (
        "text.simulated_end",
        "（模拟设备：并非真实 Android 运行。）",
    ),
    (
        "text.windows_note",
        "“A – B”形式的时间是时间窗口：该访问发生在 A 与 B 之间的某一时刻（IPC 跟踪没有时间戳，只有其录制的时间段）。",
    ),
    (
        "text.clamped_note",
        "[已校正]：按时钟换算，该时间窗口的起点早于应用进程启动，而应用的访问不可能早于其进程；因此从进程启动时刻起显示。",
    ),
    ("text.uid", "，uid {uid}"),
    ("text.uid_unknown", "，uid 未知"),
    ("text.no_serial", "（无序列号）"),
    ("text.simulated", "模拟设备"),
    ("text.emulator", "模拟器"),
    ("text.lines", " {n} 行"),
    ("text.file_one", " 1 个文件"),
    ("text.files", " {n} 个文件"),
    ("text.required", "必需"),
    ("text.seal_none", "未封存（缺少 MANIFEST.sha256）"),
    ("text.seal_ok", "已封存，MANIFEST.sha256 校验通过"),
    (
        "text.seal_bad",
        "与 MANIFEST.sha256 不符或不可靠（{parts}）；仅因明确允许才进行了分析",
    ),
    ("text.modified", "被修改"),
    ("text.irregular", "不是普通文件，未读取"),
    ("text.counts_new", "相对基线新增：计入"),
    ("text.not_counted", "不计入：{why}"),
    ("text.implausible", "数值不合理"),
    ("text.profile_file", "来自文件 {file}，sha256 {sha256}"),
    ("text.profile_note", "注意：{note}"),
    ("text.missing", "缺失"),
    ("text.unlisted", "未列出"),
    ("text.scenario", "，场景 {name}"),
    ("text.status.complete", "完整"),
    ("text.status.incomplete", "不完整"),
    ("text.status.recording", "录制中"),
    ("status.analysed", "已分析"),
    ("status.partial", "部分分析"),
    ("status.unavailable", "不可用"),
    ("status.failed", "失败"),
    ("msg.who_sdk", "第三方SDK {name}"),
    (
        "msg.pre_consent_access",
        "{who} 在用户同意隐私政策前收集{category}{api}，共 {n} 次。",
    ),
    (
        "msg.at_consent_access",
        "{who} 在同意操作的时间窗口内访问{category}{api}，共 {n} 次：无法区分发生在点击之前还是之后。",
    ),
    (
        "msg.access_after_reject",
        "{who} 在用户拒绝隐私政策后仍收集{category}{api}，共 {n} 次。",
    ),
    (
        "msg.no_consent_screen",
        "未见隐私政策同意界面，{who} 却已收集{category}{api}，共 {n} 次。",
    ),
    (
        "msg.permission_prompt_before_consent",
        "在用户同意隐私政策前弹出了运行时权限申请{api}。",
    ),
    (
        "msg.tracker_contact_before_consent",
        "{who} 在用户同意隐私政策前连接了跟踪服务器{api}，共 {n} 次。",
    ),
    (
        "msg.tracker_contact_after_reject",
        "{who} 在用户拒绝隐私政策后仍连接跟踪服务器{api}，共 {n} 次。",
    ),
    ("msg.all_denied", "系统拒绝了每一次尝试；尝试收集同样计入。"),
    ("msg.granted", "至少有一次尝试获得了数据。"),
    (
        "msg.attempt_only",
        "该信号表明存在访问尝试，但不能说明是否返回了数据。",
    ),
    ("msg.untranslated", "（英文原文）"),
    ("html.title", "Prior 隐私政策同意检测报告"),
    (
        "html.simulated_banner",
        "模拟设备：本次检测在 Prior 的模拟手机上运行，而非真实的 Android 系统。其发现仅用于演示 Prior，不能说明真实应用的行为。",
    ),
    ("html.simulated_handset", "模拟手机"),
    ("html.app", "应用"),
    ("html.device", "设备"),
    ("html.session", "检测会话"),
    ("html.report_by", "报告生成"),
    ("html.incomplete", "检测会话不完整"),
    (
        "html.incomplete_p",
        "不完整的检测会话即使没有发现违规，也不能证明合规。",
    ),
    ("html.timeline", "时间线"),
    (
        "html.tl_intro",
        "设备时钟，0 = 应用进程启动；时长 {span} 秒；共 {total} 个事件，已绘制 {shown} 个。",
    ),
    ("html.tl_binned", "按泳道分箱显示；悬停可查看数量。"),
    ("html.zoom_in", "放大"),
    ("html.zoom_out", "缩小"),
    ("html.zoom_reset", "复位"),
    ("html.legend", "图例"),
    ("html.legend_instant", "某一时刻的事件"),
    (
        "html.legend_window",
        "发生在此时间窗口内的某一时刻：没有时间戳的来源（IPC 跟踪）只能说明调用发生在两端之间；此类事件的时间写作“A – B”",
    ),
    ("html.legend_finding", "发现"),
    ("html.legend_shown", "隐私政策同意界面弹出"),
    ("html.legend_accepted", "用户同意"),
    (
        "html.legend_rejected",
        "用户拒绝：其右侧的一切都发生在用户拒绝之后",
    ),
    (
        "html.clamped_note",
        "[已校正]：按时钟换算，某些时间窗口的起点早于应用进程启动（IPC 跟踪在启动前开始，其窗口根据 Prior 的标记换算到设备时钟上）。应用的访问不可能早于其进程，因此这些时间从 +0.000 秒起显示。",
    ),
    ("html.window_label", "发生在此窗口内某一时刻"),
    ("html.label_shown", "同意界面弹出"),
    ("html.label_accepted", "用户同意"),
    ("html.label_rejected", "用户拒绝"),
    ("html.label_unanswered", "用户始终未作答"),
    ("html.events_in", "{lane}：{n} 个事件"),
    ("html.lane_net", "网络（全设备）"),
    ("html.lane_other", "其他事件"),
    ("html.finding_n", "发现 {n}：{rule} {api}"),
    ("html.actors_h", "用户同意前谁收集了哪些个人信息"),
    ("html.actors_h_rejected", "用户拒绝前谁收集了哪些个人信息"),
    ("html.col_actor", "收集主体"),
    ("html.col_kind", "类型"),
    ("html.col_data", "个人信息类别"),
    ("html.col_apis", "API / 信号"),
    ("html.col_findings", "发现数"),
    ("html.col_events", "事件数"),
    ("html.findings_h", "发现（{n} 项）"),
    ("html.no_findings", "无发现。"),
    ("html.allowed", "场景已允许："),
    ("html.until", "{reason}（有效期至 {date}）"),
    ("html.m_phase", "阶段"),
    ("html.m_launch", "距启动"),
    ("html.m_consent", "相对同意"),
    ("html.m_api", "调用接口"),
    ("html.m_actor", "收集主体"),
    ("html.m_events", "事件数"),
    ("html.omitted", "…… 另有 {n} 条证据未显示"),
    ("html.consent_shot", "隐私政策同意界面截图"),
    ("html.checked", "检查项"),
    ("html.col_category", "个人信息类别"),
    ("html.col_signals", "监测的信号"),
    ("html.col_before", "同意前"),
    ("html.col_before_rej", "拒绝前"),
    ("html.col_at", "同意操作期间"),
    ("html.col_at_rej", "拒绝操作期间"),
    ("html.col_after", "同意后"),
    ("html.col_after_rej", "拒绝后"),
    ("html.col_result", "结果"),
    ("html.clean", "未发现问题"),
    ("html.violation", "违规"),
    (
        "html.signals",
        "{a} 个 app-ops，{b} 个 binder 方法，{c} 个日志模式",
    ),
    ("html.sources", "数据来源"),
    ("html.col_source", "来源"),
    ("html.col_status", "状态"),
    ("html.col_why", "原因"),
    ("html.col_required", "必需"),
    ("html.col_items", "读取条目"),
    ("html.col_note", "备注"),
    ("html.yes", "是"),
    ("html.no", "否"),
    ("html.screenshots", "截图"),
    ("html.not_embedded", "（未嵌入：文件过大或不是 PNG）"),
    (
        "html.footer",
        "由 Prior（prior-report {version}）生成。所有时间均为设备时钟。本文件自包含：不会从网络加载任何内容。",
    ),
    ("html.k_package", "包名"),
    ("html.k_version", "版本"),
    ("html.k_version_code", "版本号"),
    ("html.k_apk_sha256", "APK sha256"),
    ("html.k_uid", "uid"),
    ("html.k_serial", "序列号"),
    ("html.k_model", "型号"),
    ("html.k_api", "API 级别"),
    ("html.k_fingerprint", "系统指纹"),
    ("html.k_tz", "时区"),
    ("html.k_kind", "设备类型"),
    ("html.kind_sim", "模拟手机"),
    ("html.kind_emulator", "模拟器"),
    ("html.kind_device", "真机"),
    ("html.k_scenario", "场景"),
    ("html.k_profile", "规则集"),
    ("html.k_profile_file", "规则集文件"),
    ("html.k_profile_note", "规则集说明"),
    ("html.k_catalog", "个人信息目录"),
    ("html.k_consent", "同意"),
    ("html.k_consent_answered", "同意时间"),
    ("html.k_consent_rejected", "拒绝时间"),
    ("html.k_consent_shown", "同意界面弹出时间"),
    ("html.k_recorded_by", "录制工具"),
    ("html.k_analysed_by", "分析工具"),
    ("html.k_manifest", "清单 sha256"),
    ("html.k_integrity", "完整性"),
    ("html.intact", "清单校验通过"),
    ("html.not_intact", "校验未通过"),
    ("html.aria_timeline", "事件时间线"),
    // --- P4 (issue 17): a consent tap the app ignored (unticked checkbox)
    (
        "method.tap_ineffective",
        "Prior 已点击，但应用仍停留在同意界面：未作答",
    ),
    // --- H1 (issue 14): the analysis inputs line
    ("text.f.inputs", "分析输入"),
    (
        "text.inputs",
        "个人信息目录 {catalog}；SDK 目录 {sdks}；规则集 {profile}",
    ),
    // --- H10 (issue 18: transmissions in intercepted traffic)
    (
        "msg.transmission_before_consent",
        "{who} 在用户同意隐私政策前发送了{category}{api}（拦截流量中 {n} 处匹配）：数据已离开设备。",
    ),
    (
        "msg.transmitted_too",
        " 拦截到的网络流量显示该数据已被发送出设备（transmission-before-consent）。",
    ),
    (
        "text.traffic",
        "拦截流量：在 {n} 个请求中查找 {v} 个蜜罐值，共 {m} 处匹配。",
    ),
    ("text.pinned", "与 {host} 的连接使用了证书固定：未能解密。"),
    // --- P2 (issue 18: transmissions in the text and HTML reports)
    (
        "text.traffic_match",
        "{phase}：{request}：{kind} {value}（{encoding}），位于 {place}",
    ),
    ("text.traffic_more", "（另有 {n} 处匹配）"),
    ("text.traffic_unplaced", "未能定位时间"),
    ("html.traffic_h", "数据传输（拦截流量）"),
    (
        "html.traffic_p",
        "在应用经拦截代理发出的请求中找到的蜜罐值（Prior 在启动前于设备上设置或读取的已知值）。除非生成报告时使用 --show-values，否则数值均已脱敏；哈希值按原样显示。",
    ),
    ("html.traffic_none", "拦截到的请求中未发现任何蜜罐值。"),
    (
        "html.traffic_pinned",
        "未能解密的连接（应用拒绝了代理证书：证书固定，或不信任该 CA），其中发送的内容未知：",
    ),
    ("html.tr_when", "距启动"),
    ("html.tr_phase", "同意"),
    ("html.tr_request", "请求"),
    ("html.tr_value", "数值"),
    ("html.tr_encoding", "编码"),
    ("html.tr_where", "位置"),
    ("html.tr_rule", "规则"),
    // --- H6 (issue 17): the campaign report (`prior campaign merge`)
    ("campaign.title", "批量检测报告"),
    (
        "campaign.headline",
        "在已检测的 {tested} 个应用中，有 {n} 个（{pct}%）在用户同意前收集了个人信息；本次共 {apps} 个应用，其中 {untested} 个未完整检测（不计为合规）。",
    ),
    ("campaign.warnings", "合并警告"),
    ("campaign.numbers", "主要数据"),
    ("campaign.by_category", "同意前收集个人信息的应用（按类别）"),
    ("campaign.by_sdk", "同意前收集个人信息的应用（按第三方SDK）"),
    ("campaign.col_category", "类别"),
    ("campaign.col_apps", "应用数"),
    ("campaign.col_sdk", "第三方SDK"),
    ("campaign.none", "未发现。"),
    ("campaign.apps", "应用列表"),
    ("campaign.filter", "筛选…"),
    ("campaign.all", "全部"),
    ("campaign.sort_hint", "点击列标题排序。"),
    ("campaign.store_page", "应用商店页面"),
    ("campaign.col_index", "序号"),
    ("campaign.col_app", "应用"),
    ("campaign.col_developer", "开发者"),
    ("campaign.col_package", "包名"),
    ("campaign.col_status", "状态"),
    ("campaign.col_collects", "同意前收集"),
    ("campaign.col_categories", "同意前收集的个人信息类别"),
    ("campaign.col_sdks", "相关第三方SDK"),
    ("campaign.col_apk", "安装包"),
    ("campaign.col_store_url", "应用商店链接"),
    ("campaign.col_reports", "报告"),
    ("campaign.col_notes", "备注"),
    ("campaign.col_pair", "检测项"),
    ("campaign.col_scenario", "场景"),
    ("campaign.col_result", "结果"),
    ("campaign.col_violations", "违规数"),
    ("campaign.yes", "是"),
    ("campaign.no", "否"),
    ("campaign.state_done", "已完成"),
    ("campaign.state_incomplete", "不完整"),
    ("campaign.state_tampered", "已被篡改（清单不符）"),
    ("campaign.state_not_run", "未运行"),
    ("campaign.status_violation", "违规"),
    ("campaign.status_not_fully_tested", "未完整检测"),
    ("campaign.status_clean", "未发现问题"),
    ("campaign.the_app", "应用自身"),
    ("campaign.rejected", "未采用的数据包：{path}：{reason}"),
    ("campaign.campaign", "检测任务"),
    ("campaign.h_apps", "应用总数"),
    ("campaign.h_tested", "已检测应用"),
    ("campaign.h_collecting", "同意前收集个人信息的应用"),
    ("campaign.h_violations", "存在违规的应用"),
    ("campaign.h_clean", "所有场景均未发现问题的应用"),
    (
        "campaign.h_not_fully_tested",
        "未完整检测的应用（不计为合规）",
    ),
    ("campaign.h_pairs_done", "已完成检测项"),
    (
        "campaign.h_pairs",
        "检测项：总数 / 已完成 / 不完整 / 已篡改 / 未运行",
    ),
    ("campaign.sheet_apps", "应用"),
    ("campaign.sheet_pairs", "检测项"),
    ("campaign.sheet_summary", "汇总"),
    ("campaign.h_pairs_incomplete", "不完整的检测项"),
    ("campaign.h_pairs_tampered", "被篡改的检测项（清单不符）"),
    ("campaign.h_pairs_not_run", "未运行的检测项"),
];

/// Keys whose Chinese value may equal the English one or hold no Chinese character
/// (identifiers, symbols, a bare placeholder).
#[cfg(test)]
pub(crate) const SAME_IN_BOTH: &[&str] = &[
    "time.between",
    "time.at",
    "headline.counts",
    "html.k_apk_sha256",
    "html.k_uid",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(s: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(i) = rest.find('{') {
            let after = &rest[i + 1..];
            match after.find('}') {
                Some(j) => {
                    out.insert(after[..j].to_string());
                    rest = &after[j + 1..];
                }
                None => break,
            }
        }
        out
    }

    #[test]
    fn every_english_string_has_a_chinese_one_with_the_same_placeholders() {
        let zh: BTreeSet<&str> = ZH.iter().map(|(k, _)| *k).collect();
        let en: BTreeSet<&str> = EN.iter().map(|(k, _)| *k).collect();
        let missing: Vec<_> = en.difference(&zh).collect();
        assert!(
            missing.is_empty(),
            "English strings without Chinese: {missing:?}"
        );
        let extra: Vec<_> = zh.difference(&en).collect();
        assert!(
            extra.is_empty(),
            "Chinese strings without English: {extra:?}"
        );
        assert_eq!(en.len(), EN.len(), "a key is twice in EN");
        assert_eq!(zh.len(), ZH.len(), "a key is twice in ZH");
        for (k, e) in EN {
            let z = lookup(ZH, k).unwrap_or_default();
            assert_eq!(placeholders(e), placeholders(z), "placeholders of {k}");
            assert!(!z.trim().is_empty(), "empty Chinese string for {k}");
            if !SAME_IN_BOTH.contains(k) {
                assert_ne!(*e, z, "{k} is not translated");
                assert!(
                    z.chars().any(|c| c >= '\u{3000}'),
                    "{k} has no Chinese character: {z}"
                );
            }
        }
    }

    /// Every key the renderers and the template use is in the tables (a typo would show
    /// the key itself on the page).
    #[test]
    fn every_key_used_by_the_renderers_exists() {
        let en: BTreeSet<&str> = EN.iter().map(|(k, _)| *k).collect();
        let sources = [
            include_str!("html.rs"),
            include_str!("text.rs"),
            include_str!("i18n.rs"),
        ];
        let mut used = BTreeSet::new();
        for src in sources {
            for call in ["t(lang, \"", "tf(lang, \"", "t(l, \"", "tf(l, \""] {
                for part in src.split(call).skip(1) {
                    if let Some(end) = part.find('"') {
                        used.insert(part[..end].to_string());
                    }
                }
            }
        }
        let tmpl = include_str!("../templates/report.html");
        for part in tmpl.split("t[\"").skip(1) {
            if let Some(end) = part.find('"') {
                used.insert(part[..end].to_string());
            }
        }
        assert!(used.len() > 50, "found only {} keys in use", used.len());
        let unknown: Vec<_> = used.iter().filter(|k| !en.contains(k.as_str())).collect();
        assert!(unknown.is_empty(), "keys not in the tables: {unknown:?}");
    }

    #[test]
    fn category_names_match_the_model_and_are_translated() {
        for c in DataCategory::ALL {
            assert_eq!(category(Lang::En, c), c.label());
            assert!(category(Lang::Zh, c).chars().any(|ch| ch > '\u{2e80}'));
        }
    }

    #[test]
    fn lang_parses() {
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
        assert_eq!(
            tf(Lang::Zh, "headline.violations", &[("n", "3")]),
            "3 项违规"
        );
    }
}
