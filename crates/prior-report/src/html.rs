//! The self-contained HTML report: one file, no network fetches; CSS, JS and screenshots are
//! inline (screenshots as `data:` URIs). Rendered with minijinja from
//! `templates/report.html`; because the template name ends in `.html`, minijinja escapes
//! every interpolated value, and the template never marks a value `|safe`, so a log line
//! such as `<script>` is shown as text.
//!
//! The timeline is an inline SVG on the device clock, with `0` at the app's process start
//! (or the earliest event when no process start was seen). It has one lane per
//! personal-data category, one for network contacts (`net` events of the device-wide
//! capture, when there are any) and one for other events; windowed events (IPC traces) are
//! drawn as spans; findings are outlined. Above [`AGGREGATE_ABOVE`] events the marks are
//! binned per lane into [`BINS`] columns (with counts in their tooltips) so a
//! 100 000-event session stays small and fast to draw.

use crate::{RenderError, label};
use base64::Engine;
use prior_analyze::Report;
use prior_model::{EventKind, Micros, Phase, Source, Timing};
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
const AXIS_H: f64 = 22.0;

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

/// Renders one page for one or more runs (a batch).
pub fn render_html(runs: &[HtmlRun<'_>]) -> Result<String, RenderError> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| RenderError::Template(e.to_string()))?;
    let tmpl = env
        .get_template("report.html")
        .map_err(|e| RenderError::Template(e.to_string()))?;
    let ctx = Page {
        tool_version: env!("CARGO_PKG_VERSION"),
        simulated: runs.iter().any(|r| r.report.device.simulated),
        runs: runs.iter().map(run_view).collect(),
    };
    tmpl.render(minijinja::value::Serde(&ctx))
        .map_err(|e| RenderError::Template(e.to_string()))
}

#[derive(Serialize)]
struct Page {
    tool_version: &'static str,
    simulated: bool,
    runs: Vec<RunView>,
}

#[derive(Serialize)]
struct RunView {
    verdict: String,
    headline: String,
    simulated: bool,
    app: Vec<(String, String)>,
    device: Vec<(String, String)>,
    session: Vec<(String, String)>,
    package: String,
    scenario: String,
    timeline: TimelineView,
    findings: Vec<FindingView>,
    /// "Who collected what before consent": one row per actor.
    actors: Vec<ActorRow>,
    categories: Vec<CategoryView>,
    sources: Vec<SourceView>,
    incomplete: Vec<String>,
    screenshots: Vec<ShotView>,
    /// 1-based index of the screenshot taken at the consent screen (name contains
    /// `consent`), linked from every finding.
    consent_shot: Option<usize>,
}

#[derive(Serialize)]
struct TimelineView {
    width: f64,
    height: f64,
    plot_x: f64,
    plot_w: f64,
    lanes: Vec<LaneView>,
    ticks: Vec<TickView>,
    marks: Vec<MarkView>,
    consent_window: Option<(f64, f64)>,
    consent_shown: Option<f64>,
    shown_events: usize,
    total_events: u64,
    aggregated: bool,
    span_s: String,
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
    class: String,
    finding: bool,
    title: String,
}

#[derive(Serialize)]
struct FindingView {
    index: usize,
    rule: String,
    severity: String,
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
    omitted: u64,
    allowed: Option<String>,
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
    r.timeline
        .iter()
        .find(|t| t.event.kind == EventKind::ProcessStart)
        .map(|t| t.event.timing.earliest())
        .or_else(|| r.timeline.iter().map(|t| t.event.timing.earliest()).min())
        .or_else(|| r.findings.iter().map(|f| f.timing.earliest()).min())
        .or(r.consent.shown_us)
}

/// `+1.234 s` / `-0.500 s`.
pub(crate) fn rel(us: Micros, zero: Micros) -> String {
    let d = us.saturating_sub(zero);
    let sign = if d < 0 { '-' } else { '+' };
    let a = d.unsigned_abs();
    format!("{sign}{}.{:03} s", a / 1_000_000, (a % 1_000_000) / 1000)
}

fn rel_timing(t: &Timing, zero: Micros) -> String {
    match *t {
        Timing::Instant { at_us } => rel(at_us, zero),
        Timing::Window { from_us, to_us } => {
            format!("between {} and {}", rel(from_us, zero), rel(to_us, zero))
        }
    }
}

fn run_view(run: &HtmlRun<'_>) -> RunView {
    let r = run.report;
    let zero = origin(r).unwrap_or(0);
    let consent_at = r.consent.answered.map(|t| t.latest());
    let mut app = vec![("package".to_string(), r.app.package.clone())];
    let opt = |v: &mut Vec<(String, String)>, k: &str, x: Option<String>| {
        if let Some(x) = x {
            v.push((k.to_string(), x));
        }
    };
    opt(&mut app, "version", r.app.version_name.clone());
    opt(&mut app, "version code", r.app.version_code.clone());
    opt(&mut app, "APK sha256", r.app.apk_sha256.clone());
    opt(&mut app, "uid", r.app.uid.map(|u| u.to_string()));
    let mut device = vec![("serial".to_string(), r.device.serial.clone())];
    opt(&mut device, "model", r.device.model.clone());
    opt(
        &mut device,
        "API level",
        r.device.api_level.map(|a| a.to_string()),
    );
    opt(&mut device, "fingerprint", r.device.fingerprint.clone());
    opt(&mut device, "time zone", r.device.timezone.clone());
    let kind = if r.device.simulated {
        "SIMULATED handset"
    } else if r.device.emulator {
        "emulator"
    } else {
        "device"
    };
    device.push(("kind".to_string(), kind.to_string()));
    let mut session = Vec::new();
    opt(&mut session, "scenario", r.bundle.scenario.clone());
    session.push((
        "profile".to_string(),
        format!("{} ({})", r.profile.name, r.profile.title),
    ));
    opt(
        &mut session,
        "profile file",
        r.profile
            .file
            .as_ref()
            .map(|f| format!("{f} (sha256 {})", r.profile.sha256)),
    );
    opt(
        &mut session,
        "profile note",
        r.profile.differs_from_recorded.clone(),
    );
    session.push((
        "catalog".to_string(),
        format!("{} {}", r.catalog.name, r.catalog.version),
    ));
    session.push((
        "consent".to_string(),
        format!(
            "{} ({})",
            label(&r.consent.outcome),
            label(&r.consent.method)
        ),
    ));
    opt(
        &mut session,
        "consent answered",
        r.consent.answered.map(|t| rel_timing(&t, zero)),
    );
    session.push(("recorded by".to_string(), r.bundle.recorded_by.clone()));
    session.push((
        "analysed by".to_string(),
        format!("{} {}", r.analyzer.name, r.analyzer.version),
    ));
    opt(
        &mut session,
        "manifest sha256",
        r.bundle.manifest_sha256.clone(),
    );
    session.push((
        "integrity".to_string(),
        if r.integrity.intact {
            "manifest intact".to_string()
        } else {
            "NOT intact".to_string()
        },
    ));

    let findings = r
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| FindingView {
            index: i + 1,
            rule: f.rule.clone(),
            severity: label(&f.severity),
            category: f
                .category
                .map(|c| c.label().to_string())
                .unwrap_or_default(),
            category_class: f
                .category
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            phase: f.phase.as_str().replace('_', " "),
            api: f.api.clone().unwrap_or_default(),
            actor: f
                .actor
                .as_ref()
                .map(|a| format!("{} ({})", a.name, label(&a.kind)))
                .unwrap_or_default(),
            at_launch: rel_timing(&f.timing, zero),
            at_consent: match consent_at {
                Some(c) => format!("{} from consent", rel_timing(&f.timing, c)),
                None => "no consent answer".to_string(),
            },
            message: f.message.clone(),
            events: f.events,
            evidence: f
                .evidence
                .iter()
                .map(|e| EvidenceView {
                    place: crate::evidence_place(e),
                    text: e.text.clone(),
                })
                .collect(),
            omitted: f.evidence_omitted,
            allowed: run
                .suppressed
                .iter()
                .find(|s| s.finding == i)
                .map(|s| match &s.expires {
                    Some(d) => format!("{} (until {d})", s.reason),
                    None => s.reason.clone(),
                }),
        })
        .collect();
    let categories = r
        .checked
        .categories
        .iter()
        .map(|c| CategoryView {
            label: c.category.label().to_string(),
            class: c.category.as_str().to_string(),
            signals: format!(
                "{} app-ops, {} binder methods, {} log patterns",
                c.signals.appops, c.signals.binder, c.signals.logcat
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
            status: s.status.as_str().to_string(),
            reason: s.reason.map(|r| r.label().to_string()).unwrap_or_default(),
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
    let actors = actor_rows(r);
    RunView {
        consent_shot,
        actors,
        verdict: label(&r.verdict),
        headline: crate::text::headline(r),
        simulated: r.device.simulated,
        app,
        device,
        session,
        package: r.app.package.clone(),
        scenario: r.bundle.scenario.clone().unwrap_or_default(),
        timeline: timeline(r, zero),
        findings,
        categories,
        sources,
        incomplete: r.incomplete.clone(),
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
fn actor_rows(r: &Report) -> Vec<ActorRow> {
    let mut rows: Vec<(String, ActorRow)> = Vec::new();
    for f in r.findings.iter().filter(|f| f.phase != Phase::AfterConsent) {
        let (key, actor, kind) = match &f.actor {
            Some(a) => (
                format!("{:?}/{}", a.kind, a.name),
                a.name.clone(),
                label(&a.kind),
            ),
            None => ("?".to_string(), "not determined".to_string(), String::new()),
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
            f.category.map(|c| c.label()).unwrap_or(""),
        );
        add(&mut row.apis, f.api.as_deref().unwrap_or(""));
    }
    rows.into_iter().map(|(_, r)| r).collect()
}

fn timeline(r: &Report, zero: Micros) -> TimelineView {
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
            label: c.label().to_string(),
        });
    }
    // Network contacts (device-wide capture) get their own lane when there are any.
    let has_net = r.timeline.iter().any(|t| t.event.source == Source::Net)
        || r.findings.iter().any(|f| f.source == Source::Net);
    let net_lane = has_net.then(|| {
        lanes.push(LaneView {
            y: AXIS_H + lanes.len() as f64 * LANE_H,
            label: "network (device-wide)".to_string(),
        });
        lanes.len() - 1
    });
    let other = lanes.len();
    lanes.push(LaneView {
        y: AXIS_H + other as f64 * LANE_H,
        label: "other events".to_string(),
    });
    let lane_for = |c: Option<prior_model::DataCategory>, s: Source| {
        c.and_then(|c| lane_of.get(c.as_str()).copied())
            .or(net_lane.filter(|_| s == Source::Net))
            .unwrap_or(other)
    };

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

    let mut marks = Vec::new();
    let aggregated = r.timeline.len() > AGGREGATE_ABOVE;
    if aggregated {
        // (lane, bin, is_window, phase_before) -> (count, class)
        let mut bins: BTreeMap<(usize, usize, bool), (u64, String)> = BTreeMap::new();
        for t in &r.timeline {
            let e = &t.event;
            let lane = lane_for(e.category, e.source);
            let windowed = matches!(e.timing, Timing::Window { .. });
            let pos = (x(e.timing.earliest()) - LABEL_W) / PLOT_W * (BINS as f64 - 1.0);
            let bin = pos.max(0.0) as usize;
            let entry = bins.entry((lane, bin, windowed)).or_insert_with(|| {
                (
                    0,
                    mark_class(e.category.map(|c| c.as_str()), e.kind, t.phase),
                )
            });
            entry.0 += 1;
        }
        let bw = PLOT_W / BINS as f64;
        for ((lane, bin, _w), (n, class)) in bins {
            marks.push(MarkView {
                x: round(LABEL_W + bin as f64 * bw),
                y: AXIS_H + lane as f64 * LANE_H + 3.0,
                w: round(bw.max(1.0)),
                class,
                finding: false,
                title: format!("{n} events in {}", lanes[lane].label),
            });
        }
    } else {
        for t in &r.timeline {
            let e = &t.event;
            let lane = lane_for(e.category, e.source);
            let x0 = x(e.timing.earliest());
            let x1 = x(e.timing.latest());
            let mut title = format!("{} {}", rel_timing(&e.timing, zero), e.detail);
            if let Some(api) = &e.api {
                title.push_str(" · ");
                title.push_str(api);
            }
            marks.push(MarkView {
                x: round(x0),
                y: AXIS_H + lane as f64 * LANE_H + 3.0,
                w: round((x1 - x0).max(1.5)),
                class: mark_class(e.category.map(|c| c.as_str()), e.kind, t.phase),
                finding: false,
                title,
            });
        }
    }
    for (i, f) in r.findings.iter().enumerate() {
        let lane = lane_for(f.category, f.source);
        let x0 = x(f.timing.earliest());
        let x1 = x(f.timing.latest());
        marks.push(MarkView {
            x: round(x0 - 1.0),
            y: AXIS_H + lane as f64 * LANE_H + 1.0,
            w: round((x1 - x0).max(1.5) + 2.0),
            class: format!("finding sev-{}", label(&f.severity)),
            finding: true,
            title: format!(
                "finding {}: {} {}",
                i + 1,
                f.rule,
                f.api.clone().unwrap_or_default()
            ),
        });
    }
    let consent_window = r.consent.answered.map(|t| {
        let a = x(t.earliest());
        (round(a), round((x(t.latest()) - a).max(1.5)))
    });
    let consent_shown = r.consent.shown_us.map(|s| round(x(s)));
    let step = nice_step(span / 1e6);
    let mut ticks = Vec::new();
    let mut s = 0.0;
    while s * 1e6 <= span + 1.0 && ticks.len() < 40 {
        ticks.push(TickView {
            x: round(LABEL_W + s * 1e6 / span * PLOT_W),
            label: format!("{s} s"),
        });
        s += step;
        s = (s * 1000.0).round() / 1000.0;
    }
    let height = AXIS_H + lanes.len() as f64 * LANE_H + 6.0;
    TimelineView {
        width: LABEL_W + PLOT_W + 10.0,
        height,
        plot_x: LABEL_W,
        plot_w: PLOT_W,
        lanes,
        ticks,
        marks,
        consent_window,
        consent_shown,
        shown_events: r.timeline.len(),
        total_events: r.timeline_total,
        aggregated,
        span_s: format!("{:.3}", span / 1e6),
    }
}

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
