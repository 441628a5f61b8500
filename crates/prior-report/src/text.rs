//! The terminal summary.

use crate::i18n::{self, Lang, t, tf};
use crate::timefmt;
use crate::{FindingStatus, Judgement};
use prior_analyze::Report;
use prior_analyze::report::{ReportFinding, SourceCheck, SourceStatus};
use prior_model::{ActorKind, Timing, Verdict};
use std::fmt::Write;

/// Widest line of evidence shown under a finding.
const EVIDENCE_WIDTH: usize = 160;

/// A plain-text summary for a terminal: verdict, app, device (with a SIMULATED banner when
/// the session ran on Prior's simulated handset), consent boundary, findings grouped with
/// their first evidence line, what was checked, and why the session is incomplete. In
/// English; [`render_text_lang`] for another language.
pub fn render_text(r: &Report) -> String {
    render_text_judged(r, &Judgement::default(), Lang::En)
}

/// [`render_text`] in a language (`--lang`).
pub fn render_text_lang(r: &Report, lang: Lang) -> String {
    render_text_judged(r, &Judgement::default(), lang)
}

/// [`render_text_lang`] with the run's [`Judgement`]: each violation says whether it counts
/// (`new since the baseline`) or why not (allowed by the scenario with the entry's reason,
/// unchanged since the baseline, expected by the scenario), and an `expectations:` line says
/// whether the scenario's `expect:` block held.
pub fn render_text_judged(r: &Report, j: &Judgement, lang: Lang) -> String {
    let mut o = String::new();
    if r.device.simulated {
        let bar = "=".repeat(78);
        let _ = writeln!(o, "{bar}");
        let _ = writeln!(o, "{}", t(lang, "text.simulated1"));
        let _ = writeln!(o, "{}", t(lang, "text.simulated2"));
        let _ = writeln!(o, "{bar}");
    }
    let _ = writeln!(
        o,
        "{}",
        tf(lang, "text.title", &[("headline", &headline_lang(r, lang))])
    );
    let _ = writeln!(o);
    field(&mut o, t(lang, "text.f.app"), &app_line(r, lang));
    field(&mut o, t(lang, "text.f.device"), &device_line(r, lang));
    field(
        &mut o,
        t(lang, "text.f.profile"),
        &format!("{} ({})", clean(&r.profile.name), clean(&r.profile.title)),
    );
    if let Some(f) = &r.profile.file {
        field(
            &mut o,
            "",
            &tf(
                lang,
                "text.profile_file",
                &[("file", &clean(f)), ("sha256", &clean(&r.profile.sha256))],
            ),
        );
    }
    if let Some(d) = &r.profile.differs_from_recorded {
        field(
            &mut o,
            "",
            &tf(lang, "text.profile_note", &[("note", &clean(d))]),
        );
    }
    if let Some(i) = &r.inputs {
        field(&mut o, t(lang, "text.f.inputs"), &inputs_line(i, lang));
    }
    for (i, l) in consent_lines(r, lang).into_iter().enumerate() {
        field(
            &mut o,
            if i == 0 {
                t(lang, "text.f.consent")
            } else {
                ""
            },
            &l,
        );
    }
    field(&mut o, t(lang, "text.f.bundle"), &bundle_line(r, lang));

    let _ = writeln!(o);
    if r.findings.is_empty() {
        let _ = writeln!(o, "{}", t(lang, "text.no_findings"));
    } else {
        let _ = writeln!(
            o,
            "{}",
            tf(
                lang,
                "text.findings",
                &[("n", &r.findings.len().to_string())]
            )
        );
        let mut n = 0;
        let launch = timefmt::launch(r);
        let (mut windows, mut clamped) = (false, false);
        for (label, group) in by_actor(&r.findings, lang) {
            let _ = writeln!(o, "  {label} ({}):", group.len());
            for (i, f) in group {
                n += 1;
                let (w, c) = finding(&mut o, n, f, r, lang, launch);
                windows |= w;
                clamped |= c;
                match j.status(r, i) {
                    FindingStatus::Violation { new: true } => {
                        let _ = writeln!(o, "      => {}", t(lang, "text.counts_new"));
                    }
                    st => {
                        if let Some(why) = st.excuse() {
                            let _ = writeln!(
                                o,
                                "      => {}",
                                tf(lang, "text.not_counted", &[("why", &clean(&why))])
                            );
                        }
                    }
                }
            }
        }
        // Windows and clamping are explained once, under the findings.
        if windows {
            let _ = writeln!(o, "  {}", t(lang, "text.windows_note"));
        }
        if clamped {
            let _ = writeln!(o, "  {}", t(lang, "text.clamped_note"));
        }
    }

    let _ = writeln!(o);
    let clean_before: Vec<&str> = r
        .checked
        .categories
        .iter()
        .filter(|c| c.clean && c.before_consent == 0 && c.at_consent == 0)
        .map(|c| i18n::category(lang, c.category))
        .collect();
    if !clean_before.is_empty() {
        let _ = writeln!(
            o,
            "{}",
            tf(
                lang,
                if r.consent.outcome == prior_model::ConsentOutcome::Rejected {
                    "text.clean_before_rej"
                } else {
                    "text.clean_before"
                },
                &[("list", &clean_before.join(t(lang, "list.sep")))]
            )
        );
    }
    let sources: Vec<String> = r
        .checked
        .sources
        .iter()
        .map(|s| source_word(s, lang))
        .collect();
    let _ = writeln!(
        o,
        "{}",
        tf(lang, "text.sources", &[("list", &sources.join(" · "))])
    );
    traffic(&mut o, r, lang);
    if r.timeline_total > 0 {
        let _ = writeln!(
            o,
            "{}",
            tf(
                lang,
                "text.timeline",
                &[
                    ("n", &r.timeline_total.to_string()),
                    ("m", &r.summary.data_access_events.to_string())
                ]
            )
        );
    }

    if !r.incomplete.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "{}", t(lang, "text.incomplete"));
        for reason in i18n::incomplete_lines(lang, r) {
            let _ = writeln!(o, "  - {}", clean(&reason));
        }
    }
    if let Some(line) = j.expectations_line(r) {
        let _ = writeln!(o);
        let _ = writeln!(o, "{}", clean(&line));
    }
    if r.device.simulated {
        let _ = writeln!(o);
        let _ = writeln!(o, "{}", t(lang, "text.simulated_end"));
    }
    o
}

/// The one-line verdict, e.g. `FAIL, 4 violations (4 high)`, in a language.
pub(crate) fn headline_lang(r: &Report, lang: Lang) -> String {
    let s = &r.summary;
    let mut counts = Vec::new();
    for (n, key) in [
        (s.high, "headline.n_high"),
        (s.medium, "headline.n_medium"),
        (s.low, "headline.n_low"),
    ] {
        if n > 0 {
            counts.push(tf(lang, key, &[("n", &n.to_string())]));
        }
    }
    let count = |n: u64, one: &'static str, many: &'static str| {
        if n == 1 {
            t(lang, one).to_string()
        } else {
            tf(lang, many, &[("n", &n.to_string())])
        }
    };
    let info = if s.info > 0 {
        count(s.info, "headline.note_one", "headline.notes")
    } else {
        String::new()
    };
    match r.verdict {
        Verdict::Fail => {
            let blind = blind_list(r, lang);
            let incomplete = if r.incomplete.is_empty() {
                String::new()
            } else if blind.is_empty() {
                t(lang, "headline.incomplete").to_string()
            } else {
                tf(lang, "headline.incomplete_blind", &[("blind", &blind)])
            };
            let counts = if counts.is_empty() {
                String::new()
            } else {
                tf(
                    lang,
                    "headline.counts",
                    &[("list", &counts.join(t(lang, "list.sep")))],
                )
            };
            tf(
                lang,
                "headline.fail",
                &[
                    (
                        "violations",
                        &count(
                            s.violations,
                            "headline.violation_one",
                            "headline.violations",
                        ),
                    ),
                    ("counts", &counts),
                    ("info", &info),
                    ("incomplete", &incomplete),
                ],
            )
        }
        Verdict::Pass => tf(lang, "headline.pass", &[("info", &info)]),
        Verdict::Inconclusive => {
            let blind = blind_list(r, lang);
            if blind.is_empty() {
                tf(lang, "headline.inconclusive", &[("info", &info)])
            } else {
                tf(
                    lang,
                    "headline.inconclusive_blind",
                    &[("blind", &blind), ("info", &info)],
                )
            }
        }
    }
}

/// The analysis inputs on one line: name, version, the file when one was given.
fn inputs_line(i: &prior_analyze::report::Inputs, lang: Lang) -> String {
    let one = |f: &prior_analyze::report::InputFacts| {
        let mut s = clean(&f.name);
        if let Some(v) = &f.version {
            s.push(' ');
            s.push_str(&clean(v));
        }
        if let Some(file) = &f.file {
            s.push_str(&format!(" ({})", clean(file)));
        }
        s
    };
    tf(
        lang,
        "text.inputs",
        &[
            ("catalog", &one(&i.catalog)),
            ("sdks", &one(&i.sdk_catalogue)),
            ("profile", &one(&i.profile)),
        ],
    )
}

fn field(o: &mut String, name: &str, value: &str) {
    // Pad by display width: a CJK character takes two columns.
    let width: usize = name
        .chars()
        .map(|c| if c > '\u{2e80}' { 2 } else { 1 })
        .sum();
    let pad = " ".repeat(9usize.saturating_sub(width));
    let _ = writeln!(o, "  {name}{pad} {value}");
}

fn app_line(r: &Report, lang: Lang) -> String {
    let a = &r.app;
    let mut s = clean(&a.package);
    match (&a.version_name, &a.version_code) {
        (Some(n), Some(c)) => s.push_str(&format!(" {} ({})", clean(n), clean(c))),
        (Some(n), None) => s.push_str(&format!(" {}", clean(n))),
        (None, Some(c)) => s.push_str(&format!(" ({})", clean(c))),
        (None, None) => {}
    }
    match a.uid {
        Some(uid) => s.push_str(&tf(lang, "text.uid", &[("uid", &uid.to_string())])),
        None => s.push_str(t(lang, "text.uid_unknown")),
    }
    s
}

fn device_line(r: &Report, lang: Lang) -> String {
    let d = &r.device;
    let mut parts = Vec::new();
    if d.simulated {
        parts.push(t(lang, "text.simulated").to_string());
    }
    parts.push(if d.serial.is_empty() {
        t(lang, "text.no_serial").to_string()
    } else {
        clean(&d.serial)
    });
    if let Some(m) = &d.model {
        parts.push(clean(m));
    }
    if let Some(api) = d.api_level {
        parts.push(format!("API {api}"));
    }
    let offset = utc_offset(d.utc_offset_s);
    parts.push(match &d.timezone {
        Some(tz) => format!("{} ({offset})", clean(tz)),
        None => offset,
    });
    if d.emulator && !d.simulated {
        parts.push(t(lang, "text.emulator").to_string());
    }
    parts.join(" · ")
}

fn utc_offset(s: i32) -> String {
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

fn consent_lines(r: &Report, lang: Lang) -> Vec<String> {
    let c = &r.consent;
    let how = i18n::method(lang, c.method);
    let what = i18n::outcome(lang, c.outcome);
    let mut first = match &c.answered {
        Some(a) => format!("{what} {}", timefmt::absolute(lang, a, None).text),
        None => what.to_string(),
    };
    first.push_str(&format!(" ({how})"));
    let mut lines = vec![first];
    if let Some(s) = c.shown_us {
        let when = timefmt::absolute(lang, &Timing::Instant { at_us: s }, None).text;
        lines.push(tf(lang, "consent.shown_at", &[("time", &when)]));
    }
    lines
}

fn bundle_line(r: &Report, lang: Lang) -> String {
    let i = &r.integrity;
    let unsound = !i.irregular.is_empty() || !i.implausible.is_empty();
    let seal = if !i.manifest_present && !unsound {
        t(lang, "text.seal_none").to_string()
    } else if i.intact {
        t(lang, "text.seal_ok").to_string()
    } else {
        let mut parts = Vec::new();
        for (what, files) in [
            ("text.modified", &i.modified),
            ("text.missing", &i.missing),
            ("text.unlisted", &i.unlisted),
            ("text.irregular", &i.irregular),
            ("text.implausible", &i.implausible),
        ] {
            if !files.is_empty() {
                parts.push(format!(
                    "{}: {}",
                    t(lang, what),
                    files
                        .iter()
                        .map(|f| clean(f))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        tf(lang, "text.seal_bad", &[("parts", &parts.join("; "))])
    };
    let scenario = r
        .bundle
        .scenario
        .as_deref()
        .map(|s| {
            tf(
                lang,
                "text.scenario",
                // Quoted, not `{:?}`: Debug would double the backslash of each escape.
                &[("name", &format!("\"{}\"", clean(s)))],
            )
        })
        .unwrap_or_default();
    let status = match r.bundle.status.as_str() {
        "complete" => t(lang, "text.status.complete").to_string(),
        "incomplete" => t(lang, "text.status.incomplete").to_string(),
        "recording" => t(lang, "text.status.recording").to_string(),
        other => clean(other),
    };
    format!("{status}, {seal}{scenario}")
}

/// Findings grouped by actor (kind and name), groups in the order of their first finding
/// (findings arrive sorted by phase and time), findings keeping their order inside a group.
/// Findings without an actor form the last group.
fn by_actor(findings: &[ReportFinding], lang: Lang) -> Vec<(String, Vec<(usize, &ReportFinding)>)> {
    type ActorKey<'a> = Option<(ActorKind, &'a str)>;
    type Group<'a> = (ActorKey<'a>, Vec<(usize, &'a ReportFinding)>);
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let key = f.actor.as_ref().map(|a| (a.kind, a.name.as_str()));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push((i, f)),
            None => groups.push((key, vec![(i, f)])),
        }
    }
    groups.sort_by_key(|(k, _)| k.is_none());
    groups
        .into_iter()
        .map(|(k, v)| {
            let label = match k {
                Some((ActorKind::Sdk, name)) => tf(lang, "group.sdk", &[("name", &clean(name))]),
                Some((ActorKind::App, name)) => tf(lang, "group.app", &[("name", &clean(name))]),
                Some((ActorKind::System, name)) => {
                    tf(lang, "group.system", &[("name", &clean(name))])
                }
                None => t(lang, "group.none").to_string(),
            };
            (label, v)
        })
        .collect()
}

/// Writes one finding; returns whether its time is a window and whether it was clamped to
/// the process start.
fn finding(
    o: &mut String,
    n: usize,
    f: &ReportFinding,
    r: &Report,
    lang: Lang,
    launch: Option<prior_model::Micros>,
) -> (bool, bool) {
    let mut title = vec![f.rule.clone()];
    if let Some(c) = f.category {
        title.push(i18n::category(lang, c).to_string());
    }
    if let Some(api) = &f.api {
        title.push(clean(&api.to_string()));
    }
    let _ = writeln!(
        o,
        "  {n:>2}. {:<6} {}",
        i18n::severity(lang, f.severity),
        title.join(" · ")
    );
    let clamp = launch.filter(|_| timefmt::cannot_precede_launch(f.category, f.source));
    let when = timefmt::absolute(lang, &f.timing, clamp);
    let windowed =
        f.timing.latest().saturating_sub(f.timing.earliest()) >= timefmt::ONE_TIME_BELOW_US;
    let mut where_ = vec![
        i18n::phase(lang, f.phase, r.consent.outcome).to_string(),
        f.source.as_str().to_string(),
        when.text.clone(),
    ];
    if let Some(a) = &f.actor {
        where_.push(tf(
            lang,
            "text.by",
            &[
                ("name", &clean(&a.name)),
                ("kind", i18n::actor_kind(lang, a.kind)),
            ],
        ));
        if let Some(reason) = &a.reason {
            where_.push(tf(lang, "text.decided_by", &[("reason", &clean(reason))]));
        }
    }
    // Issue 14: one access seen by several collectors names them and its signal count.
    if let Some(seen) = i18n::seen_by(lang, f) {
        where_.push(seen);
    }
    let _ = writeln!(o, "      {}", where_.join(" · "));
    let _ = writeln!(o, "      {}", clean(&i18n::finding_message(lang, r, f)));
    if let Some(e) = f.evidence.first() {
        let _ = writeln!(
            o,
            "      {}  {}",
            clean(&crate::evidence_place(e)),
            telling_line(&e.text)
        );
    }
    let more = f.evidence.len().saturating_sub(1) as u64 + f.evidence_omitted;
    if more == 1 {
        let _ = writeln!(o, "      {}", t(lang, "text.more_evidence_one"));
    } else if more > 1 {
        let _ = writeln!(
            o,
            "      {}",
            tf(lang, "text.more_evidence", &[("n", &more.to_string())])
        );
    }
    (windowed, when.clamped)
}

/// The most telling line of a piece of evidence: for a binder stack, the proxy frame rather
/// than the `Count:`/`Trace:` header.
fn telling_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| {
            !l.is_empty()
                && !l.starts_with("Count:")
                && !l.starts_with("Trace:")
                && !l.contains("BinderProxy.transact")
        })
        .or_else(|| text.lines().next())
        .unwrap_or("");
    let line = clean(line);
    if line.chars().count() > EVIDENCE_WIDTH {
        let cut: String = line.chars().take(EVIDENCE_WIDTH - 1).collect();
        format!("{cut}…")
    } else {
        line
    }
}

/// `ipc 2 files (unavailable, user build)`; a source that keeps the report from passing is in
/// capitals and marked `required` when the profile requires it.
fn source_word(s: &SourceCheck, lang: Lang) -> String {
    let mut status = i18n::status(lang, s.status).to_string();
    if s.blocks_pass() {
        status = status.to_uppercase();
    }
    if let Some(r) = s.reason {
        status.push_str(", ");
        status.push_str(i18n::reason(lang, r));
    }
    if s.required && s.status != SourceStatus::Analysed {
        status.push_str(", ");
        status.push_str(t(lang, "text.required"));
    }
    let what = match (s.source, s.files.len()) {
        (prior_model::Source::Logcat, n) if n > 0 => {
            tf(lang, "text.lines", &[("n", &s.items.to_string())])
        }
        (_, 0) => String::new(),
        (_, 1) => t(lang, "text.file_one").to_string(),
        (_, n) => tf(lang, "text.files", &[("n", &n.to_string())]),
    };
    format!("{}{what} ({status})", s.source.as_str())
}

/// `ipc unavailable (user build), ui failed (files missing)`: the sources that keep the report
/// from passing, for headlines.
pub(crate) fn blind_list(r: &Report, lang: Lang) -> String {
    r.blind_sources()
        .map(|s| match s.reason {
            Some(why) => format!(
                "{} {} ({})",
                s.source.as_str(),
                i18n::status(lang, s.status),
                i18n::reason(lang, why)
            ),
            None => format!("{} {}", s.source.as_str(), i18n::status(lang, s.status)),
        })
        .collect::<Vec<_>>()
        .join(t(lang, "list.sep"))
}

/// Escapes control characters (ESC, BEL, CR, …) and bidirectional overrides so bundle text
/// cannot drive the terminal or reorder what is shown (`prior_model::text::escape_line`: one
/// line, tab kept).
fn clean(s: &str) -> String {
    prior_model::text::escape_line(s).into_owned()
}

/// Issue 18: what the interception saw (requests searched, matches, pinned connections).
fn traffic(o: &mut String, r: &Report, lang: Lang) {
    let Some(tr) = &r.transmission else { return };
    let Some(http) = r
        .checked
        .sources
        .iter()
        .find(|s| s.source == prior_model::Source::Http && !s.files.is_empty())
    else {
        return;
    };
    let searched = tr.honey.iter().filter(|h| h.searched).count();
    let _ = writeln!(
        o,
        "{}",
        tf(
            lang,
            "text.traffic",
            &[
                ("n", &http.items.to_string()),
                ("v", &searched.to_string()),
                (
                    "m",
                    &(tr.matches.len() as u64 + tr.matches_omitted).to_string()
                ),
            ]
        )
    );
    let rows = traffic_rows(r, lang);
    for row in rows.iter().take(TEXT_TRAFFIC_ROWS) {
        let _ = writeln!(
            o,
            "  {}",
            tf(
                lang,
                "text.traffic_match",
                &[
                    ("phase", &row.phase),
                    ("request", &row.request),
                    ("kind", &row.kind),
                    ("value", &row.value),
                    ("encoding", &row.encoding),
                    ("place", &row.place),
                ]
            )
        );
    }
    let more = (rows.len().saturating_sub(TEXT_TRAFFIC_ROWS)) as u64 + tr.matches_omitted;
    if more > 0 {
        let _ = writeln!(
            o,
            "  {}",
            tf(lang, "text.traffic_more", &[("n", &more.to_string())])
        );
    }
    for p in &tr.tls_failed {
        let _ = writeln!(
            o,
            "  {}",
            tf(lang, "text.pinned", &[("host", &clean(&p.host))])
        );
    }
}

/// Matches listed one per line in the text report (the HTML page lists them all).
const TEXT_TRAFFIC_ROWS: usize = 10;

/// One honey value found in one request, as the text and HTML reports show it (every string
/// escaped for a terminal; the value as the report holds it: redacted unless `--show-values`).
pub(crate) struct TrafficRow {
    /// The device time (µs), when placed.
    pub at: Option<prior_model::Micros>,
    /// Before / at / after consent, or "not placed".
    pub phase: String,
    /// `POST host/path`.
    pub request: String,
    pub kind: String,
    /// The value, and for a hash the hash found.
    pub value: String,
    pub encoding: String,
    pub place: String,
    /// The rule it made fire, or empty.
    pub rule: String,
}

/// The transmission matches of a report, in file order.
pub(crate) fn traffic_rows(r: &Report, lang: Lang) -> Vec<TrafficRow> {
    let Some(tr) = &r.transmission else {
        return Vec::new();
    };
    tr.matches
        .iter()
        .map(|m| TrafficRow {
            at: m.device_us,
            phase: match m.phase {
                Some(p) => crate::i18n::phase(lang, p, r.consent.outcome).to_string(),
                None => t(lang, "text.traffic_unplaced").to_string(),
            },
            request: clean(&format!("{} {}{}", m.method, m.host, m.path)),
            kind: clean(&m.kind),
            value: if m.hash {
                clean(&format!("{} = {}", m.value, m.matched))
            } else {
                clean(&m.value)
            },
            encoding: clean(&m.encoding),
            place: clean(&m.place),
            rule: m.rule.as_deref().map(clean).unwrap_or_default(),
        })
        .collect()
}
