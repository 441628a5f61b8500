//! The terminal summary.

use prior_analyze::Report;
use prior_analyze::report::{ConsentMethod, ReportFinding, SourceCheck, SourceStatus};
use prior_model::{ActorKind, ConsentOutcome, Severity, Timing, Verdict, format_micros_utc};
use std::fmt::Write;

/// Widest line of evidence shown under a finding.
const EVIDENCE_WIDTH: usize = 160;

/// A plain-text summary for a terminal: verdict, app, device (with a SIMULATED banner when
/// the session ran on Prior's simulated handset), consent boundary, findings grouped with
/// their first evidence line, what was checked, and why the session is incomplete.
pub fn render_text(r: &Report) -> String {
    let mut o = String::new();
    if r.device.simulated {
        let bar = "=".repeat(78);
        let _ = writeln!(o, "{bar}");
        let _ = writeln!(
            o,
            " SIMULATED DEVICE: this session ran on Prior's simulated handset, not on Android."
        );
        let _ = writeln!(
            o,
            " Its findings demonstrate Prior; they say nothing about the real app."
        );
        let _ = writeln!(o, "{bar}");
    }
    let _ = writeln!(o, "Prior consent check: {}", headline(r));
    let _ = writeln!(o);
    field(&mut o, "app", &app_line(r));
    field(&mut o, "device", &device_line(r));
    field(
        &mut o,
        "profile",
        &format!("{} ({})", clean(&r.profile.name), clean(&r.profile.title)),
    );
    for (i, l) in consent_lines(r).into_iter().enumerate() {
        field(&mut o, if i == 0 { "consent" } else { "" }, &l);
    }
    field(&mut o, "bundle", &bundle_line(r));

    let _ = writeln!(o);
    if r.findings.is_empty() {
        let _ = writeln!(o, "No findings.");
    } else {
        let _ = writeln!(
            o,
            "Findings ({}), grouped by who collected:",
            r.findings.len()
        );
        let mut n = 0;
        for (label, group) in by_actor(&r.findings) {
            let _ = writeln!(o, "  {label} ({}):", group.len());
            for f in group {
                n += 1;
                finding(&mut o, n, f);
            }
        }
    }

    let _ = writeln!(o);
    let clean_before: Vec<&str> = r
        .checked
        .categories
        .iter()
        .filter(|c| c.clean && c.before_consent == 0 && c.at_consent == 0)
        .map(|c| c.category.label())
        .collect();
    if !clean_before.is_empty() {
        let _ = writeln!(
            o,
            "No access before consent seen for: {}.",
            clean_before.join(", ")
        );
    }
    let sources: Vec<String> = r.checked.sources.iter().map(source_word).collect();
    let _ = writeln!(o, "Sources: {}.", sources.join(" · "));
    if r.timeline_total > 0 {
        let _ = writeln!(
            o,
            "Timeline: {} events ({} personal-data accesses).",
            r.timeline_total, r.summary.data_access_events
        );
    }

    if !r.incomplete.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "Incomplete session, so a clean result proves nothing:");
        for reason in &r.incomplete {
            let _ = writeln!(o, "  - {}", clean(reason));
        }
    }
    if r.device.simulated {
        let _ = writeln!(o);
        let _ = writeln!(o, "(SIMULATED device: not a real Android run.)");
    }
    o
}

pub(crate) fn headline(r: &Report) -> String {
    let s = &r.summary;
    let mut counts = Vec::new();
    for (n, name) in [(s.high, "high"), (s.medium, "medium"), (s.low, "low")] {
        if n > 0 {
            counts.push(format!("{n} {name}"));
        }
    }
    let plural = |n: u64, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let info = if s.info > 0 {
        format!(", {}", plural(s.info, "note"))
    } else {
        String::new()
    };
    match r.verdict {
        Verdict::Fail => {
            let blind = blind_list(r);
            let incomplete = if r.incomplete.is_empty() {
                String::new()
            } else if blind.is_empty() {
                " (session incomplete)".to_string()
            } else {
                format!(" (session incomplete; not analysed: {blind})")
            };
            format!(
                "FAIL, {} ({}){info}{incomplete}",
                plural(s.violations, "violation"),
                counts.join(", ")
            )
        }
        Verdict::Pass => format!("PASS, no violation{info}"),
        Verdict::Inconclusive => {
            let blind = blind_list(r);
            if blind.is_empty() {
                format!("INCONCLUSIVE, no violation found but the session is incomplete{info}")
            } else {
                format!(
                    "INCONCLUSIVE, no violation found but not every source was analysed: {blind}{info}"
                )
            }
        }
    }
}

fn field(o: &mut String, name: &str, value: &str) {
    let _ = writeln!(o, "  {name:<9} {value}");
}

fn app_line(r: &Report) -> String {
    let a = &r.app;
    let mut s = clean(&a.package);
    match (&a.version_name, &a.version_code) {
        (Some(n), Some(c)) => s.push_str(&format!(" {} ({})", clean(n), clean(c))),
        (Some(n), None) => s.push_str(&format!(" {}", clean(n))),
        (None, Some(c)) => s.push_str(&format!(" ({})", clean(c))),
        (None, None) => {}
    }
    match a.uid {
        Some(uid) => s.push_str(&format!(", uid {uid}")),
        None => s.push_str(", uid unknown"),
    }
    s
}

fn device_line(r: &Report) -> String {
    let d = &r.device;
    let mut parts = Vec::new();
    if d.simulated {
        parts.push("SIMULATED".to_string());
    }
    parts.push(if d.serial.is_empty() {
        "(no serial)".to_string()
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
        parts.push("emulator".to_string());
    }
    parts.join(" · ")
}

fn utc_offset(s: i32) -> String {
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

fn timing(t: &Timing) -> String {
    match *t {
        Timing::Instant { at_us } => format!("at {}", format_micros_utc(at_us)),
        Timing::Window { from_us, to_us } => {
            format!(
                "between {} and {}",
                format_micros_utc(from_us),
                format_micros_utc(to_us)
            )
        }
    }
}

fn consent_lines(r: &Report) -> Vec<String> {
    let c = &r.consent;
    let how = match c.method {
        ConsentMethod::LogcatMarkers => "logcat markers around Prior's tap",
        ConsentMethod::BeginMarkerOnly => {
            "begin marker only; window runs to the end of the capture"
        }
        ConsentMethod::UiObservation => "observed in UI dumps (manual mode)",
        ConsentMethod::ConsentMissing => "Prior saw no consent screen within its timeout",
        ConsentMethod::NotAnswered => "shown, never answered during the session",
        ConsentMethod::NoRecord => "no consent record in the session",
        ConsentMethod::MarkersNotFound => {
            "tap recorded but its markers are missing: moment unknown"
        }
    };
    let what = match c.outcome {
        ConsentOutcome::Accepted => "accepted",
        ConsentOutcome::Rejected => "REJECTED",
        ConsentOutcome::Unanswered => "not answered",
        ConsentOutcome::NeverShown => "NEVER SHOWN",
    };
    let mut first = match &c.answered {
        Some(t) => format!("{what} {}", timing(t)),
        None => what.to_string(),
    };
    first.push_str(&format!(" ({how})"));
    let mut lines = vec![first];
    if let Some(s) = c.shown_us {
        lines.push(format!("shown at {}", format_micros_utc(s)));
    }
    lines
}

fn bundle_line(r: &Report) -> String {
    let i = &r.integrity;
    let seal = if !i.manifest_present {
        "not sealed (no MANIFEST.sha256)".to_string()
    } else if i.intact {
        "sealed, MANIFEST.sha256 verified".to_string()
    } else {
        let mut parts = Vec::new();
        for (what, files) in [
            ("modified", &i.modified),
            ("missing", &i.missing),
            ("unlisted", &i.unlisted),
        ] {
            if !files.is_empty() {
                parts.push(format!(
                    "{what}: {}",
                    files
                        .iter()
                        .map(|f| clean(f))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        format!(
            "DOES NOT MATCH MANIFEST.sha256 ({}); analysed only because that was allowed",
            parts.join("; ")
        )
    };
    let scenario = r
        .bundle
        .scenario
        .as_deref()
        // Quoted, not `{:?}`: Debug would double the backslash of each escape.
        .map(|s| format!(", scenario \"{}\"", clean(s)))
        .unwrap_or_default();
    format!("{}, {seal}{scenario}", clean(&r.bundle.status))
}

/// Findings grouped by actor (kind and name), groups in the order of their first finding
/// (findings arrive sorted by phase and time), findings keeping their order inside a group.
/// Findings without an actor form the last group.
fn by_actor(findings: &[ReportFinding]) -> Vec<(String, Vec<&ReportFinding>)> {
    type ActorKey<'a> = Option<(ActorKind, &'a str)>;
    let mut groups: Vec<(ActorKey<'_>, Vec<&ReportFinding>)> = Vec::new();
    for f in findings {
        let key = f.actor.as_ref().map(|a| (a.kind, a.name.as_str()));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(f),
            None => groups.push((key, vec![f])),
        }
    }
    groups.sort_by_key(|(k, _)| k.is_none());
    groups
        .into_iter()
        .map(|(k, v)| {
            let label = match k {
                Some((ActorKind::Sdk, name)) => format!("SDK {}", clean(name)),
                Some((ActorKind::App, name)) => format!("The app itself ({})", clean(name)),
                Some((ActorKind::System, name)) => format!("System ({})", clean(name)),
                None => "Actor not determined".to_string(),
            };
            (label, v)
        })
        .collect()
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFO",
    }
}

fn finding(o: &mut String, n: usize, f: &ReportFinding) {
    let mut title = vec![f.rule.clone()];
    if let Some(c) = f.category {
        title.push(c.label().to_string());
    }
    if let Some(api) = &f.api {
        title.push(clean(api));
    }
    let _ = writeln!(
        o,
        "  {n:>2}. {:<6} {}",
        severity_word(f.severity),
        title.join(" · ")
    );
    let mut where_ = vec![
        f.phase.as_str().replace('_', " "),
        f.source.as_str().to_string(),
        timing(&f.timing),
    ];
    if let Some(a) = &f.actor {
        let kind = match a.kind {
            ActorKind::App => "the app",
            ActorKind::Sdk => "SDK",
            ActorKind::System => "system",
        };
        where_.push(format!("by {} ({kind})", clean(&a.name)));
        if let Some(reason) = &a.reason {
            where_.push(format!("decided by {}", clean(reason)));
        }
    }
    let _ = writeln!(o, "      {}", where_.join(" · "));
    let _ = writeln!(o, "      {}", clean(&f.message));
    if let Some(e) = f.evidence.first() {
        let _ = writeln!(
            o,
            "      {}  {}",
            clean(&crate::evidence_place(e)),
            telling_line(&e.text)
        );
    }
    let more = f.evidence.len().saturating_sub(1) as u64 + f.evidence_omitted;
    if more > 0 {
        let _ = writeln!(
            o,
            "      (+{more} more piece{} of evidence)",
            if more == 1 { "" } else { "s" }
        );
    }
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
fn source_word(s: &SourceCheck) -> String {
    let mut status = s.status.as_str().to_string();
    if s.blocks_pass() {
        status = status.to_uppercase();
    }
    if let Some(r) = s.reason {
        status.push_str(", ");
        status.push_str(r.label());
    }
    if s.required && s.status != SourceStatus::Analysed {
        status.push_str(", required");
    }
    let what = match (s.source, s.files.len()) {
        (prior_model::Source::Logcat, n) if n > 0 => format!(" {} lines", s.items),
        (_, 0) => String::new(),
        (_, 1) => " 1 file".to_string(),
        (_, n) => format!(" {n} files"),
    };
    format!("{}{what} ({status})", s.source.as_str())
}

/// `ipc unavailable (user build), ui failed (files missing)`: the sources that keep the report
/// from passing, for headlines.
pub(crate) fn blind_list(r: &Report) -> String {
    r.blind_sources()
        .map(|s| match s.reason {
            Some(why) => format!(
                "{} {} ({})",
                s.source.as_str(),
                s.status.as_str(),
                why.label()
            ),
            None => format!("{} {}", s.source.as_str(), s.status.as_str()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes control characters (ESC, BEL, CR, …) and bidirectional overrides so bundle text
/// cannot drive the terminal or reorder what is shown (`prior_model::text::escape_line`: one
/// line, tab kept).
fn clean(s: &str) -> String {
    prior_model::text::escape_line(s).into_owned()
}
