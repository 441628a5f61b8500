//! The self-contained HTML report: one file, no network fetches; CSS, JS and screenshots are
//! inline (screenshots as `data:` URIs). Rendered with minijinja from
//! `templates/report.html`; because the template name ends in `.html`, minijinja escapes
//! every interpolated value, and the template never marks a value `|safe`, so a log line
//! such as `<script>` is shown as text.
//!
//! The timeline is an inline SVG on the device clock, with `0` at the app's process start
//! (or the earliest event when no process start was seen). It has one lane per
//! personal-data category, one for network contacts (`net` events of the device-wide
//! capture, when there are any) and one for other events. Windowed events (IPC traces) are
//! thin hatched spans in a layer behind the instants, explained once in the legend; the
//! consent moment is labelled (shown, accepted, or rejected in red, never the green band);
//! findings are outlined. Times follow `timefmt.rs`; words come from `i18n.rs` (`--lang`).
//! Above [`AGGREGATE_ABOVE`] events the marks are binned per lane into [`BINS`] columns (with
//! counts in their tooltips) so a 100 000-event session stays small and fast to draw.

use crate::i18n::{self, Lang, t, tf};
use crate::{RenderError, label, timefmt};
use base64::Engine;
use prior_analyze::Report;
use prior_model::{ConsentOutcome, EventKind, Micros, Phase, Source, Timing};
use serde::Serialize;
use std::collections::BTreeMap;

/// Screenshots larger than this are left out of the page (named, not embedded).
pub const MAX_SCREENSHOT_BYTES: usize = 4 * 1024 * 1024;
/// Above this many timeline events, marks are binned.
pub const AGGREGATE_ABOVE: usize = 3000;
/// Columns used when binning.
pub const BINS: usize = 1000;

const TEMPLATE: &str = include_str!("../templates/report.html");
/// Width of the timeline's drawing area in SVG user units.
const PLOT_W: f64 = 1000.0;
const LABEL_W: f64 = 170.0;
const LANE_H: f64 = 18.0;
const AXIS_H: f64 = 34.0;
/// A window's span: a thin band in the middle of its lane.
const WINDOW_H: f64 = 6.0;
const WINDOW_DY: f64 = 6.0;
/// Windows at least this wide carry the words "somewhere in this window".
const WINDOW_LABEL_MIN_W: f64 = 110.0;
/// Up to this many windowed events are drawn as their own spans even when the instants are
/// binned.
const MAX_WINDOW_SPANS: usize = 500;

/// A screenshot to embed.
#[derive(Debug, Clone)]
pub struct Screenshot {
    /// Its name (e.g. the file name `001-consent.png`).
    pub name: String,
    /// PNG bytes.
    pub png: Vec<u8>,
}

/// One run to render: the report and what the bundle adds to it.
#[derive(Debug, Clone)]
pub struct HtmlRun<'a> {
    /// The analysis.
    pub report: &'a Report,
    /// Screenshots of the session, in order.
    pub screenshots: Vec<Screenshot>,
    /// Findings the scenario accepts.
    pub suppressed: Vec<crate::Suppression>,
}

/// Renders one page for one or more runs (a batch), in English.
pub fn render_html(runs: &[HtmlRun<'_>]) -> Result<String, RenderError> {
    render_html_lang(runs, Lang::En)
}

/// Renders one page for one or more runs (a batch) in a language.
pub fn render_html_lang(runs: &[HtmlRun<'_>], lang: Lang) -> Result<String, RenderError> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| RenderError::Template(e.to_string()))?;
    let tmpl = env
        .get_template("report.html")
        .map_err(|e| RenderError::Template(e.to_string()))?;
    let ctx = Page {
        tool_version: env!("CARGO_PKG_VERSION"),
        lang: lang.tag(),
        t: i18n::all(lang),
        footer: tf(
            lang,
            "html.footer",
            &[("version", env!("CARGO_PKG_VERSION"))],
        ),
        simulated: runs.iter().any(|r| r.report.device.simulated),
        runs: runs.iter().map(|r| run_view(r, lang)).collect(),
    };
    tmpl.render(minijinja::value::Serde(&ctx))
        .map_err(|e| RenderError::Template(e.to_string()))
}

#[derive(Serialize)]
struct Page {
    tool_version: &'static str,
    /// The page's `lang` attribute.
    lang: &'static str,
    /// Every string of the page's language, by key (`t["html.title"]` in the template).
    t: BTreeMap<&'static str, &'static str>,
    footer: String,
    simulated: bool,
    runs: Vec<RunView>,
}

#[derive(Serialize)]
struct RunView {
    /// The verdict's serialised name (a CSS class).
    verdict: String,
    /// The verdict in the page's language.
    verdict_text: String,
    headline: String,
    simulated: bool,
    app: Vec<(String, String)>,
    device: Vec<(String, String)>,
    session: Vec<(String, String)>,
    package: String,
    scenario: String,
    timeline: TimelineView,
    /// Some time was clamped to the process start (the page explains clock placement once).
    clamped: bool,
    findings_heading: String,
    findings: Vec<FindingView>,
    /// "Who collected what before consent": one row per actor.
    actors: Vec<ActorRow>,
    actors_heading: String,
    /// Column names of the checked table (say "rejection" after a refusal).
    col_before: String,
    col_at: String,
    col_after: String,
    categories: Vec<CategoryView>,
    sources: Vec<SourceView>,
    incomplete: Vec<String>,
    screenshots: Vec<ShotView>,
    /// 1-based index of the screenshot taken at the consent screen (name contains
    /// `consent`), linked from every finding.
    consent_shot: Option<usize>,
    /// Issue 18: what the interception saw, when the session was intercepted.
    traffic: Option<TrafficView>,
}

/// The transmission section: every honey value found in a request, and the connections not
/// decrypted.
#[derive(Serialize)]
struct TrafficView {
    summary: String,
    rows: Vec<TrafficRowView>,
    omitted: Option<String>,
    pinned: Vec<String>,
}

#[derive(Serialize)]
struct TrafficRowView {
    when: String,
    phase: String,
    /// `before_consent`, … (a CSS class), empty when not placed.
    phase_class: String,
    request: String,
    kind: String,
    value: String,
    encoding: String,
    place: String,
    rule: String,
}

/// The transmission section of a run, `None` when the session has no `raw/http.jsonl`.
fn traffic_view(r: &Report, zero: prior_model::Micros, lang: Lang) -> Option<TrafficView> {
    let tr = r.transmission.as_ref()?;
    let http = r
        .checked
        .sources
        .iter()
        .find(|s| s.source == prior_model::Source::Http && !s.files.is_empty())?;
    let searched = tr.honey.iter().filter(|h| h.searched).count();
    let rows = crate::text::traffic_rows(r, lang)
        .into_iter()
        .zip(&tr.matches)
        .map(|(row, m)| TrafficRowView {
            when: row
                .at
                .map(|at| timefmt::rel(lang, at, zero))
                .unwrap_or_else(|| "—".into()),
            phase: row.phase,
            phase_class: m.phase.map(|p| p.as_str().to_string()).unwrap_or_default(),
            request: row.request,
            kind: row.kind,
            value: row.value,
            encoding: row.encoding,
            place: row.place,
            rule: row.rule,
        })
        .collect();
    Some(TrafficView {
        summary: tf(
            lang,
            "text.traffic",
            &[
                ("n", &http.items.to_string()),
                ("v", &searched.to_string()),
                (
                    "m",
                    &(tr.matches.len() as u64 + tr.matches_omitted).to_string(),
                ),
            ],
        ),
        rows,
        omitted: (tr.matches_omitted > 0).then(|| {
            tf(
                lang,
                "text.traffic_more",
                &[("n", &tr.matches_omitted.to_string())],
            )
        }),
        pinned: tr
            .tls_failed
            .iter()
            .map(|p| tf(lang, "text.pinned", &[("host", &p.host)]))
            .collect(),
    })
}

#[derive(Serialize)]
struct TimelineView {
    width: f64,
    height: f64,
    plot_x: f64,
    plot_w: f64,
    lanes: Vec<LaneView>,
    ticks: Vec<TickView>,
    /// Windowed events (no timestamps): thin hatched spans, drawn first.
    windows: Vec<MarkView>,
    has_windows: bool,
    /// Instant events, then finding outlines, drawn over the windows.
    marks: Vec<MarkView>,
    /// The consent answer (accepted or rejected), with its label.
    answer: Option<ConsentMark>,
    /// The consent screen shown, with its label.
    shown: Option<ConsentMark>,
    rejected: bool,
    aggregated: bool,
    /// The line above the timeline (clock, span, events drawn).
    intro: String,
    /// Some time on it was clamped to the process start.
    clamped: bool,
}

#[derive(Serialize)]
struct ConsentMark {
    x: f64,
    w: f64,
    class: String,
    label: String,
    title: String,
    /// `start` or `end`: where the label sits against the mark.
    anchor: &'static str,
}

#[derive(Serialize)]
struct LaneView {
    y: f64,
    label: String,
}

#[derive(Serialize)]
struct TickView {
    x: f64,
    label: String,
}

#[derive(Serialize)]
struct MarkView {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    class: String,
    finding: bool,
    title: String,
    /// Words drawn on a wide window ("somewhere in this window").
    label: Option<String>,
}

#[derive(Serialize)]
struct FindingView {
    index: usize,
    rule: String,
    severity: String,
    severity_text: String,
    category: String,
    category_class: String,
    phase: String,
    api: String,
    actor: String,
    at_launch: String,
    at_consent: String,
    message: String,
    events: u64,
    evidence: Vec<EvidenceView>,
    omitted: Option<String>,
    allowed: Option<String>,
    /// One access seen by several collectors: which, and how many signals (issue 14).
    seen_by: Option<String>,
}

#[derive(Serialize)]
struct EvidenceView {
    /// `file:line`, or `raw/net.pcap packet #N`.
    place: String,
    text: String,
}

#[derive(Serialize)]
struct CategoryView {
    label: String,
    class: String,
    signals: String,
    before: u64,
    at: u64,
    after: u64,
    clean: bool,
}

#[derive(Serialize)]
struct SourceView {
    source: String,
    status: String,
    /// The typed reason in words, empty when analysed.
    reason: String,
    /// The reason in full (the recorder's words when it reported it).
    detail: String,
    required: bool,
    /// It keeps the report from passing.
    blind: bool,
    items: u64,
    events: u64,
    note: String,
}

#[derive(Serialize)]
struct ShotView {
    name: String,
    uri: Option<String>,
}

/// The time everything is relative to: the app's process start, else the earliest event.
pub(crate) fn origin(r: &Report) -> Option<Micros> {
    timefmt::launch(r)
        .or_else(|| r.timeline.iter().map(|t| t.event.timing.earliest()).min())
        .or_else(|| r.findings.iter().map(|f| f.timing.earliest()).min())
        .or(r.consent.shown_us)
}

fn run_view(run: &HtmlRun<'_>, lang: Lang) -> RunView {
    let r = run.report;
    let zero = origin(r).unwrap_or(0);
    let launch = timefmt::launch(r);
    let rejected = r.consent.outcome == ConsentOutcome::Rejected;
    let mut clamped_any = false;
    let k = |key: &'static str| t(lang, key).to_string();
    let mut app = vec![(k("html.k_package"), r.app.package.clone())];
    let opt = |v: &mut Vec<(String, String)>, key: &'static str, x: Option<String>| {
        if let Some(x) = x {
            v.push((t(lang, key).to_string(), x));
        }
    };
    opt(&mut app, "html.k_version", r.app.version_name.clone());
    opt(&mut app, "html.k_version_code", r.app.version_code.clone());
    opt(&mut app, "html.k_apk_sha256", r.app.apk_sha256.clone());
    opt(&mut app, "html.k_uid", r.app.uid.map(|u| u.to_string()));
    let mut device = vec![(k("html.k_serial"), r.device.serial.clone())];
    opt(&mut device, "html.k_model", r.device.model.clone());
    opt(
        &mut device,
        "html.k_api",
        r.device.api_level.map(|a| a.to_string()),
    );
    opt(
        &mut device,
        "html.k_fingerprint",
        r.device.fingerprint.clone(),
    );
    opt(&mut device, "html.k_tz", r.device.timezone.clone());
    let kind = if r.device.simulated {
        "html.kind_sim"
    } else if r.device.emulator {
        "html.kind_emulator"
    } else {
        "html.kind_device"
    };
    device.push((k("html.k_kind"), k(kind)));
    let mut session = Vec::new();
    opt(&mut session, "html.k_scenario", r.bundle.scenario.clone());
    session.push((
        k("html.k_profile"),
        format!("{} ({})", r.profile.name, r.profile.title),
    ));
    opt(
        &mut session,
        "html.k_profile_file",
        r.profile
            .file
            .as_ref()
            .map(|f| format!("{f} (sha256 {})", r.profile.sha256)),
    );
    opt(
        &mut session,
        "html.k_profile_note",
        r.profile.differs_from_recorded.clone(),
    );
    session.push((
        k("html.k_catalog"),
        format!("{} {}", r.catalog.name, r.catalog.version),
    ));
    session.push((
        k("html.k_consent"),
        format!(
            "{} ({})",
            i18n::outcome(lang, r.consent.outcome),
            i18n::method(lang, r.consent.method)
        ),
    ));
    opt(
        &mut session,
        "html.k_consent_shown",
        r.consent
            .shown_us
            .map(|s| timefmt::from_launch(lang, &Timing::Instant { at_us: s }, zero, None).text),
    );
    opt(
        &mut session,
        if rejected {
            "html.k_consent_rejected"
        } else {
            "html.k_consent_answered"
        },
        r.consent
            .answered
            .map(|a| timefmt::from_launch(lang, &a, zero, None).text),
    );
    session.push((k("html.k_recorded_by"), r.bundle.recorded_by.clone()));
    session.push((
        k("html.k_analysed_by"),
        format!("{} {}", r.analyzer.name, r.analyzer.version),
    ));
    opt(
        &mut session,
        "html.k_manifest",
        r.bundle.manifest_sha256.clone(),
    );
    session.push((
        k("html.k_integrity"),
        if r.integrity.intact {
            k("html.intact")
        } else {
            k("html.not_intact")
        },
    ));

    let findings = r
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let clamp = launch.filter(|_| timefmt::cannot_precede_launch(f.category, f.source));
            let at_launch = timefmt::from_launch(lang, &f.timing, zero, clamp);
            clamped_any |= at_launch.clamped;
            FindingView {
                index: i + 1,
                rule: f.rule.clone(),
                severity: label(&f.severity),
                severity_text: i18n::severity(lang, f.severity).to_string(),
                category: f
                    .category
                    .map(|c| i18n::category(lang, c).to_string())
                    .unwrap_or_default(),
                category_class: f
                    .category
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
                phase: i18n::phase(lang, f.phase, r.consent.outcome).to_string(),
                api: f.api.as_ref().map(ToString::to_string).unwrap_or_default(),
                actor: f
                    .actor
                    .as_ref()
                    .map(|a| format!("{} ({})", a.name, i18n::actor_kind(lang, a.kind)))
                    .unwrap_or_default(),
                at_launch: at_launch.text,
                at_consent: match &r.consent.answered {
                    // The same placement as the time from launch (clamped alike).
                    Some(c) => timefmt::to_consent(
                        lang,
                        &timefmt::clamped(&f.timing, clamp),
                        c,
                        r.consent.outcome,
                    ),
                    None => k("rel.no_answer"),
                },
                message: i18n::finding_message(lang, r, f),
                events: f.events,
                seen_by: i18n::seen_by(lang, f),
                evidence: f
                    .evidence
                    .iter()
                    .map(|e| EvidenceView {
                        place: crate::evidence_place(e),
                        text: e.text.clone(),
                    })
                    .collect(),
                omitted: (f.evidence_omitted > 0).then(|| {
                    tf(
                        lang,
                        "html.omitted",
                        &[("n", &f.evidence_omitted.to_string())],
                    )
                }),
                allowed: run
                    .suppressed
                    .iter()
                    .find(|s| s.finding == i)
                    .map(|s| match &s.expires {
                        Some(d) => tf(lang, "html.until", &[("reason", &s.reason), ("date", d)]),
                        None => s.reason.clone(),
                    }),
            }
        })
        .collect();
    let categories = r
        .checked
        .categories
        .iter()
        .map(|c| CategoryView {
            label: i18n::category(lang, c.category).to_string(),
            class: c.category.as_str().to_string(),
            signals: tf(
                lang,
                "html.signals",
                &[
                    ("a", &c.signals.appops.to_string()),
                    ("b", &c.signals.binder.to_string()),
                    ("c", &c.signals.logcat.to_string()),
                ],
            ),
            before: c.before_consent,
            at: c.at_consent,
            after: c.after_consent,
            clean: c.clean,
        })
        .collect();
    let sources = r
        .checked
        .sources
        .iter()
        .map(|s| SourceView {
            source: s.source.as_str().to_string(),
            status: i18n::status(lang, s.status).to_string(),
            reason: s
                .reason
                .map(|r| i18n::reason(lang, r).to_string())
                .unwrap_or_default(),
            detail: s.detail.clone().unwrap_or_default(),
            required: s.required,
            blind: s.blocks_pass(),
            items: s.items,
            events: s.events,
            note: s.note.clone().unwrap_or_default(),
        })
        .collect();
    let screenshots = run
        .screenshots
        .iter()
        .map(|s| ShotView {
            name: s.name.clone(),
            uri: (s.png.len() <= MAX_SCREENSHOT_BYTES && s.png.starts_with(b"\x89PNG")).then(
                || {
                    format!(
                        "data:image/png;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(&s.png)
                    )
                },
            ),
        })
        .collect();
    let consent_shot = run
        .screenshots
        .iter()
        .position(|s| s.name.to_ascii_lowercase().contains("consent"))
        .map(|i| i + 1);
    let actors = actor_rows(r, lang);
    let timeline = timeline(r, zero, lang);
    clamped_any |= timeline.clamped;
    let col = |plain: &'static str, rej: &'static str| k(if rejected { rej } else { plain });
    RunView {
        traffic: traffic_view(r, zero, lang),
        consent_shot,
        actors,
        actors_heading: col("html.actors_h", "html.actors_h_rejected"),
        col_before: col("html.col_before", "html.col_before_rej"),
        col_at: col("html.col_at", "html.col_at_rej"),
        col_after: col("html.col_after", "html.col_after_rej"),
        verdict: label(&r.verdict),
        verdict_text: i18n::verdict(lang, r.verdict).to_string(),
        headline: crate::text::headline_lang(r, lang),
        simulated: r.device.simulated,
        app,
        device,
        session,
        package: r.app.package.clone(),
        scenario: r.bundle.scenario.clone().unwrap_or_default(),
        timeline,
        clamped: clamped_any,
        findings_heading: tf(
            lang,
            "html.findings_h",
            &[("n", &r.findings.len().to_string())],
        ),
        findings,
        categories,
        sources,
        incomplete: i18n::incomplete_lines(lang, r),
        screenshots,
    }
}

/// One actor's collection before (or at) consent.
#[derive(Debug, Serialize)]
struct ActorRow {
    actor: String,
    kind: String,
    categories: String,
    apis: String,
    findings: usize,
    events: u64,
}

/// Groups the findings before or at consent by actor (SDK, the app itself, or undetermined),
/// in order of first appearance.
fn actor_rows(r: &Report, lang: Lang) -> Vec<ActorRow> {
    let mut rows: Vec<(String, ActorRow)> = Vec::new();
    for f in r.findings.iter().filter(|f| f.phase != Phase::AfterConsent) {
        let (key, actor, kind) = match &f.actor {
            Some(a) => (
                format!("{:?}/{}", a.kind, a.name),
                a.name.clone(),
                i18n::actor_kind(lang, a.kind).to_string(),
            ),
            None => (
                "?".to_string(),
                t(lang, "actor.not_determined").to_string(),
                String::new(),
            ),
        };
        let i = match rows.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                rows.push((
                    key,
                    ActorRow {
                        actor,
                        kind,
                        categories: String::new(),
                        apis: String::new(),
                        findings: 0,
                        events: 0,
                    },
                ));
                rows.len() - 1
            }
        };
        let row = &mut rows[i].1;
        row.findings += 1;
        row.events += f.events;
        let add = |list: &mut String, item: &str| {
            if !item.is_empty() && !list.split(", ").any(|x| x == item) {
                if !list.is_empty() {
                    list.push_str(", ");
                }
                list.push_str(item);
            }
        };
        add(
            &mut row.categories,
            f.category.map(|c| i18n::category(lang, c)).unwrap_or(""),
        );
        add(
            &mut row.apis,
            &f.api.as_ref().map(ToString::to_string).unwrap_or_default(),
        );
    }
    rows.into_iter().map(|(_, r)| r).collect()
}

fn timeline(r: &Report, zero: Micros, lang: Lang) -> TimelineView {
    // Lanes: categories that occur (in catalog order), then "other events".
    let mut lane_of: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut lanes: Vec<LaneView> = Vec::new();
    let mut cats: Vec<_> = r
        .timeline
        .iter()
        .filter_map(|t| t.event.category)
        .chain(r.findings.iter().filter_map(|f| f.category))
        .collect();
    cats.sort();
    cats.dedup();
    for c in cats {
        lane_of.insert(c.as_str(), lanes.len());
        lanes.push(LaneView {
            y: AXIS_H + lanes.len() as f64 * LANE_H,
            label: i18n::category(lang, c).to_string(),
        });
    }
    // Network contacts (device-wide capture) get their own lane when there are any.
    let has_net = r.timeline.iter().any(|t| t.event.source == Source::Net)
        || r.findings.iter().any(|f| f.source == Source::Net);
    let net_lane = has_net.then(|| {
        lanes.push(LaneView {
            y: AXIS_H + lanes.len() as f64 * LANE_H,
            label: t(lang, "html.lane_net").to_string(),
        });
        lanes.len() - 1
    });
    let other = lanes.len();
    lanes.push(LaneView {
        y: AXIS_H + other as f64 * LANE_H,
        label: t(lang, "html.lane_other").to_string(),
    });
    let lane_for = |c: Option<prior_model::DataCategory>, s: Source| {
        c.and_then(|c| lane_of.get(c.as_str()).copied())
            .or(net_lane.filter(|_| s == Source::Net))
            .unwrap_or(other)
    };
    let lane_y = |lane: usize| AXIS_H + lane as f64 * LANE_H;

    let mut end = zero;
    for t in &r.timeline {
        end = end.max(t.event.timing.latest());
    }
    for f in &r.findings {
        end = end.max(f.timing.latest());
    }
    if let Some(a) = r.consent.answered {
        end = end.max(a.latest());
    }
    let span = (end.saturating_sub(zero)).max(1_000_000) as f64;
    let x = |us: Micros| {
        LABEL_W + ((us.saturating_sub(zero)) as f64 / span * PLOT_W).clamp(0.0, PLOT_W)
    };
    let round = |v: f64| (v * 10.0).round() / 10.0;
    let launch = timefmt::launch(r);
    let mut clamped = false;
    let is_window =
        |t: &Timing| t.latest().saturating_sub(t.earliest()) >= timefmt::ONE_TIME_BELOW_US;

    // Windows (events without timestamps) are thin hatched spans drawn first, so that the
    // instants are drawn on top of them.
    let mut windows = Vec::new();
    let mut marks = Vec::new();
    let aggregated = r.timeline.len() > AGGREGATE_ABOVE;
    // Windows stay individual spans while there are few of them (IPC traces give one per
    // method and stack), even when the instants are binned: a binned window would be a
    // one-unit column and lose what it says.
    let window_count = r
        .timeline
        .iter()
        .filter(|t| is_window(&t.event.timing))
        .count();
    let bin_windows = aggregated && window_count > MAX_WINDOW_SPANS;
    // One event as its own mark (a span for a window).
    let mut one = |t: &prior_analyze::report::TimelineEntry| -> (bool, MarkView) {
        let e = &t.event;
        let lane = lane_for(e.category, e.source);
        let clamp = launch.filter(|_| timefmt::cannot_precede_launch(e.category, e.source));
        let when = timefmt::from_launch(lang, &e.timing, zero, clamp);
        clamped |= when.clamped;
        let x0 = x(e.timing.earliest());
        let x1 = x(e.timing.latest());
        let windowed = is_window(&e.timing);
        let title = format!("{} {}", when.text, event_words(lang, e));
        let w = round((x1 - x0).max(1.5));
        let class = mark_class(e.category.map(|c| c.as_str()), e.kind, t.phase);
        let mark = MarkView {
            x: round(x0),
            y: lane_y(lane) + if windowed { WINDOW_DY } else { 3.0 },
            w,
            h: if windowed { WINDOW_H } else { 12.0 },
            // `wcat-…`: the category's colour as the outline of a hatched span (a `cat-…`
            // class would fill it solid).
            class: if windowed { format!("w{class}") } else { class },
            finding: false,
            title,
            label: (windowed && w >= WINDOW_LABEL_MIN_W)
                .then(|| t_owned(lang, "html.window_label")),
        };
        (windowed, mark)
    };
    // (lane, bin, is_window) -> (count, class)
    let mut bins: BTreeMap<(usize, usize, bool), (u64, String)> = BTreeMap::new();
    for t in &r.timeline {
        let e = &t.event;
        let windowed = is_window(&e.timing);
        if aggregated && (!windowed || bin_windows) {
            let lane = lane_for(e.category, e.source);
            let pos = (x(e.timing.earliest()) - LABEL_W) / PLOT_W * (BINS as f64 - 1.0);
            let bin = pos.max(0.0) as usize;
            let entry = bins.entry((lane, bin, windowed)).or_insert_with(|| {
                (
                    0,
                    mark_class(e.category.map(|c| c.as_str()), e.kind, t.phase),
                )
            });
            entry.0 += 1;
            continue;
        }
        let (windowed, mark) = one(t);
        if windowed {
            windows.push(mark);
        } else {
            marks.push(mark);
        }
    }
    let bw = PLOT_W / BINS as f64;
    for ((lane, bin, windowed), (n, class)) in bins {
        let title = tf(
            lang,
            "html.events_in",
            &[("n", &n.to_string()), ("lane", &lanes[lane].label)],
        );
        let class = if windowed { format!("w{class}") } else { class };
        let mark = MarkView {
            x: round(LABEL_W + bin as f64 * bw),
            y: lane_y(lane) + if windowed { WINDOW_DY } else { 3.0 },
            w: round(bw.max(1.0)),
            h: if windowed { WINDOW_H } else { 12.0 },
            class,
            finding: false,
            title,
            label: None,
        };
        if windowed {
            windows.push(mark);
        } else {
            marks.push(mark);
        }
    }
    for (i, f) in r.findings.iter().enumerate() {
        let lane = lane_for(f.category, f.source);
        let x0 = x(f.timing.earliest());
        let x1 = x(f.timing.latest());
        let windowed = is_window(&f.timing);
        marks.push(MarkView {
            x: round(x0 - 1.0),
            y: lane_y(lane) + 1.0,
            w: round((x1 - x0).max(1.5) + 2.0),
            h: 16.0,
            class: format!(
                "finding sev-{}{}",
                label(&f.severity),
                if windowed { " finding-window" } else { "" }
            ),
            finding: true,
            title: tf(
                lang,
                "html.finding_n",
                &[
                    ("n", &(i + 1).to_string()),
                    ("rule", &f.rule),
                    (
                        "api",
                        &f.api.as_ref().map(ToString::to_string).unwrap_or_default(),
                    ),
                ],
            ),
            label: None,
        });
    }
    let height = AXIS_H + lanes.len() as f64 * LANE_H + 6.0;
    // The consent moment: a band for the answer window (green when accepted, red and
    // hatched when rejected) with a label above the lanes; a dashed line when it was shown.
    let answer = r.consent.answered.map(|a| {
        let x0 = x(a.earliest());
        let (class, key) = match r.consent.outcome {
            ConsentOutcome::Rejected => ("consent consent-rejected", "html.label_rejected"),
            _ => ("consent consent-accepted", "html.label_accepted"),
        };
        let when = timefmt::from_launch(lang, &a, zero, None).text;
        ConsentMark {
            x: round(x0),
            w: round((x(a.latest()) - x0).max(2.0)),
            class: class.to_string(),
            label: t(lang, key).to_string(),
            title: format!("{} {when}", t(lang, key)),
            anchor: if x0 > LABEL_W + PLOT_W - 120.0 {
                "end"
            } else {
                "start"
            },
        }
    });
    let shown = r.consent.shown_us.map(|s| {
        let sx = x(s);
        let key = if r.consent.outcome == ConsentOutcome::Unanswered {
            "html.label_unanswered"
        } else {
            "html.label_shown"
        };
        let when = timefmt::from_launch(lang, &Timing::Instant { at_us: s }, zero, None).text;
        ConsentMark {
            x: round(sx),
            w: 0.0,
            class: "shown".to_string(),
            label: t(lang, key).to_string(),
            title: format!("{} {when}", t(lang, key)),
            anchor: if sx > LABEL_W + PLOT_W - 120.0 {
                "end"
            } else {
                "start"
            },
        }
    });
    // Labels of a screen answered soon after it was shown would overlap: the "shown" label
    // then sits to the left of its line.
    let mut shown = shown;
    if let (Some(sh), Some(a)) = (shown.as_mut(), answer.as_ref())
        && (a.x - sh.x).abs() < 130.0
    {
        sh.anchor = "end";
    }
    let step = nice_step(span / 1e6);
    let mut ticks = Vec::new();
    let mut s = 0.0;
    while s * 1e6 <= span + 1.0 && ticks.len() < 40 {
        ticks.push(TickView {
            x: round(LABEL_W + s * 1e6 / span * PLOT_W),
            label: tf(lang, "time.seconds", &[("s", &format!("{s}"))]),
        });
        s += step;
        s = (s * 1000.0).round() / 1000.0;
    }
    let intro = tf(
        lang,
        "html.tl_intro",
        &[
            ("span", &format!("{:.3}", span / 1e6)),
            ("shown", &r.timeline.len().to_string()),
            ("total", &r.timeline_total.to_string()),
        ],
    );
    TimelineView {
        width: LABEL_W + PLOT_W + 10.0,
        height,
        plot_x: LABEL_W,
        plot_w: PLOT_W,
        lanes,
        ticks,
        has_windows: !windows.is_empty(),
        windows,
        marks,
        answer,
        shown,
        rejected: r.consent.outcome == ConsentOutcome::Rejected,
        aggregated,
        intro,
        clamped,
    }
}

fn t_owned(lang: Lang, key: &'static str) -> String {
    t(lang, key).to_string()
}

/// What an event was, for its tooltip. English keeps the analyzer's words (without its
/// per-event window explanation, which the legend gives once); Chinese is composed from the
/// event's fields, keeping identifiers (API, marker, host) as they are.
fn event_words(lang: Lang, e: &prior_model::Event) -> String {
    let mut s = match lang {
        Lang::En => e.detail.replace(WINDOW_WORDS, ""),
        Lang::Zh => {
            let kind = i18n::event_kind(lang, e.kind);
            match e.category {
                Some(c) => format!("{kind}：{}", i18n::category(lang, c)),
                None if e.kind == EventKind::Marker => {
                    // Prior's markers and the launch command: keep the identifier only.
                    match e.detail.strip_prefix("Prior marker: ") {
                        Some(m) => format!("{kind}：{m}"),
                        None => match e.detail.strip_prefix("launch of ") {
                            Some(c) => format!("{}：{c}", t(lang, "kind.launch")),
                            None => format!("{kind}：{}", e.detail),
                        },
                    }
                }
                None if matches!(e.kind, EventKind::NetworkContact | EventKind::SdkActivity) => {
                    format!("{kind}：{}", e.detail)
                }
                None => kind.to_string(),
            }
        }
    };
    if let Some(api) = &e.api {
        s.push_str(" · ");
        s.push_str(&api.to_string());
    }
    if let Some(a) = &e.actor
        && lang == Lang::Zh
    {
        s.push_str(&format!(
            "（{}：{}）",
            i18n::actor_kind(lang, a.kind),
            a.name
        ));
    }

    s
}

/// The analyzer's per-event explanation of IPC windows; the legend says it once.
const WINDOW_WORDS: &str = ", no timestamps: somewhere in its window";

fn mark_class(cat: Option<&str>, kind: EventKind, phase: Phase) -> String {
    let base = match cat {
        Some(c) => format!("cat-{c}"),
        None => format!("kind-{}", kind.as_str()),
    };
    format!("{base} ph-{}", phase.as_str())
}

/// A 1/2/5 × 10^n step giving about ten ticks.
pub(crate) fn nice_step(span_s: f64) -> f64 {
    let raw = (span_s / 10.0).max(0.001);
    let mag = 10f64.powf(raw.log10().floor());
    let n = raw / mag;
    let m = if n <= 1.0 {
        1.0
    } else if n <= 2.0 {
        2.0
    } else if n <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}
