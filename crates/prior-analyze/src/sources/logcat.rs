//! The logcat pass: one streaming scan of `raw/logcat.txt` that finds the app's uid and
//! processes, the harness marker lines, permission prompts, and every line a catalog pattern
//! attributes to the app.
//!
//! Attribution (see `docs/catalog.md`): a pattern with a `{package}`/`{uid}` placeholder names
//! the app, so the line may come from any process (a system service reporting on the app); a
//! pattern without one counts only on lines logged by the app's uid or one of its pids.
//! Process-start, death and `Displayed`/`START` lines are trusted only from uid 1000
//! (system_server) when the capture has a uid column: any app can log with any tag.

use super::{EventSink, evidence_text};
use crate::catalog::{Catalog, CategoryRule};
use crate::logscan::{self, LinePattern, Prefilter, ScanStats};
use prior_model::{Event, EventKind, Evidence, Micros, Outcome, Source, Timing};
use prior_parse::logcat::events::{self, AmEvent};
use prior_parse::logcat::{LogLine, parse_line};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

/// The capture's path inside a bundle.
pub(crate) const LOGCAT_FILE: &str = "raw/logcat.txt";
/// Tag of Prior's own marker lines (`log -t prior MESSAGE`).
pub(crate) const MARKER_TAG: &[u8] = b"prior";
/// Pending (not yet attributable) matches kept while the app's uid is unknown.
const MAX_PENDING: usize = 4096;
/// The system_server uid.
const SYSTEM_UID: u32 = 1000;

/// Literal text of the lines the `events` decoders understand (process start/death, Displayed,
/// START of the permission dialog, crashes), also as printed without an event-tag map.
const AM_LITERALS: &[&str] = &[
    "am_proc_start",
    "[30014]",
    "Start proc ",
    "am_proc_died",
    "[30011]",
    "am_kill",
    "[30023]",
    "Displayed ",
    "REQUEST_PERMISSIONS",
    "GrantPermissionsActivity",
    "Process: ",
];

/// What the logcat pass needs to know.
pub(crate) struct LogcatInput<'a> {
    pub catalog: &'a Catalog,
    pub package: &'a str,
    /// The uid from meta.json, if recorded.
    pub meta_uid: Option<u32>,
    /// Year for layouts that print none.
    pub default_year: i32,
    /// Device UTC offset for layouts with local times.
    pub utc_offset_s: i32,
}

/// What the logcat pass found (events go to the sink).
#[derive(Debug, Default)]
pub(crate) struct LogcatResult {
    pub uid: Option<u32>,
    pub uid_from_logcat: bool,
    pub pids: BTreeSet<u32>,
    /// First line of each marker message: its time and evidence.
    pub markers: BTreeMap<String, (Micros, Evidence)>,
    pub stats: ScanStats,
    /// Personal-data events attributed to the app.
    pub access_events: u64,
    /// Candidate lines whose time could not be placed on the device clock (e.g. monotonic).
    pub untimed: u64,
    /// Matches that needed the app's uid, which was never learned.
    pub unattributed: u64,
    /// Matches dropped because too many were pending.
    pub pending_dropped: u64,
    /// Latest time seen on a candidate line.
    pub max_time: Option<Micros>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Catalog(usize),
    Marker(usize),
    Am,
}

struct Rule {
    kind: Kind,
    pattern: Option<LinePattern>,
    tag: Option<Vec<u8>>,
    names_app: bool,
}

/// The compiled rules of one app: a literal prefilter and, per literal, the rules to try.
pub(crate) struct Rules {
    prefilter: Prefilter,
    /// The prefilter's literals, by id.
    pub literals: Vec<Vec<u8>>,
    literal_rules: Vec<Vec<usize>>,
    rules: Vec<Rule>,
    markers: Vec<String>,
}

/// Builds the rules for an app.
pub(crate) fn build_rules(
    catalog: &Catalog,
    package: &str,
    markers: &[String],
) -> Result<Rules, String> {
    let mut rules = Vec::new();
    let mut literals: Vec<Vec<u8>> = Vec::new();
    let mut literal_ids: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    let mut literal_rules: Vec<Vec<usize>> = Vec::new();
    let mut add_literal = |lit: &[u8], rule: usize, literal_rules: &mut Vec<Vec<usize>>| {
        let id = *literal_ids.entry(lit.to_vec()).or_insert_with(|| {
            literals.push(lit.to_vec());
            literal_rules.push(Vec::new());
            literals.len() - 1
        });
        literal_rules[id].push(rule);
    };
    for (i, e) in catalog.logcat.iter().enumerate() {
        let p = logscan::compile(
            &logscan::substitute(&e.pattern, package),
            e.literal.as_deref(),
        )
        .map_err(|m| format!("logcat {}: {m}", e.id))?;
        add_literal(&p.literal, rules.len(), &mut literal_rules);
        rules.push(Rule {
            kind: Kind::Catalog(i),
            pattern: Some(p),
            tag: e.tag.as_ref().map(|t| t.as_bytes().to_vec()),
            names_app: e.names_app(),
        });
    }
    for (i, m) in markers.iter().enumerate() {
        if m.trim().is_empty() {
            continue;
        }
        let p = logscan::compile(
            &format!("^{}\\s*$", regex::escape(m.trim())),
            Some(m.trim()),
        )?;
        add_literal(&p.literal, rules.len(), &mut literal_rules);
        rules.push(Rule {
            kind: Kind::Marker(i),
            pattern: Some(p),
            tag: Some(MARKER_TAG.to_vec()),
            names_app: true,
        });
    }
    let am = rules.len();
    rules.push(Rule {
        kind: Kind::Am,
        pattern: None,
        tag: None,
        names_app: true,
    });
    for lit in AM_LITERALS {
        add_literal(lit.as_bytes(), am, &mut literal_rules);
    }
    let prefilter = Prefilter::new(&literals)?;
    Ok(Rules {
        prefilter,
        literals,
        literal_rules,
        rules,
        markers: markers.to_vec(),
    })
}

/// The catalog's regexes as `rg` takes them (placeholders substituted, `{uid}` as the uid when
/// known, capture names dropped, `(?-u)` for the ASCII semantics the analyzer uses), plus the
/// marker and process/activity texts: one pattern per entry.
pub(crate) fn patterns_for_grep(
    catalog: &Catalog,
    package: &str,
    uid: Option<u32>,
    markers: &[String],
) -> Vec<String> {
    // grep tools join the patterns into one alternation, where capture names would clash.
    let named_group = regex::Regex::new(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>").ok();
    let mut out = Vec::new();
    for e in &catalog.logcat {
        let mut p = e
            .pattern
            .replace(crate::catalog::PACKAGE_PLACEHOLDER, &regex::escape(package));
        p = p.replace(
            crate::catalog::UID_PLACEHOLDER,
            &uid.map_or_else(|| "[0-9]+".to_string(), |u| u.to_string()),
        );
        if let Some(re) = &named_group {
            p = re.replace_all(&p, "(?:").into_owned();
        }
        // The analyzer matches with ASCII classes and word boundaries; say so to the grep tool.
        out.push(format!("(?-u){p}"));
    }
    out.extend(
        markers
            .iter()
            .filter(|m| !m.trim().is_empty())
            .map(|m| regex::escape(m.trim())),
    );
    out.extend(AM_LITERALS.iter().map(|l| regex::escape(l)));
    out
}

enum Attr {
    Yes,
    No,
    Pending { uid: Option<u32>, pid: Option<u32> },
}

struct State<'a> {
    input: &'a LogcatInput<'a>,
    result: LogcatResult,
    pending: Vec<(Option<u32>, Option<u32>, bool, Event)>,
    lit_ids: Vec<usize>,
    hits: Vec<usize>,
}

/// Runs the pass over a capture.
pub(crate) fn run(
    input: &LogcatInput<'_>,
    rules: &Rules,
    reader: impl Read,
    sink: &mut EventSink,
) -> std::io::Result<LogcatResult> {
    let mut st = State {
        input,
        result: LogcatResult {
            uid: input.meta_uid,
            ..LogcatResult::default()
        },
        pending: Vec::new(),
        lit_ids: Vec::new(),
        hits: Vec::new(),
    };
    let stats = logscan::scan(reader, &rules.prefilter, |line_no, raw| {
        st.on_line(rules, line_no, raw, sink)
    })?;
    st.result.stats = stats;
    // Resolve matches that arrived before the app's uid (or pid) was known.
    let pending = std::mem::take(&mut st.pending);
    for (uid, pid, app_scope, ev) in pending {
        let by_uid = uid.is_some() && uid == st.result.uid;
        let by_pid = app_scope && pid.is_some_and(|p| st.result.pids.contains(&p));
        if by_uid || by_pid {
            st.emit(ev, sink);
        } else if st.result.uid.is_none() {
            st.result.unattributed += 1;
        }
    }
    Ok(st.result)
}

impl State<'_> {
    fn emit(&mut self, ev: Event, sink: &mut EventSink) {
        if ev.kind == EventKind::DataAccess {
            self.result.access_events += 1;
        }
        sink.push(ev);
    }

    fn hold(&mut self, attr: Attr, app_scope: bool, ev: Event, sink: &mut EventSink) {
        match attr {
            Attr::Yes => self.emit(ev, sink),
            Attr::No => {}
            Attr::Pending { uid, pid } => {
                if self.pending.len() < MAX_PENDING {
                    self.pending.push((uid, pid, app_scope, ev));
                } else {
                    self.result.pending_dropped += 1;
                }
            }
        }
    }

    fn on_line(&mut self, rules: &Rules, line_no: u64, raw: &[u8], sink: &mut EventSink) {
        let Some(line) = parse_line(raw) else { return };
        let time = line.epoch_us(self.input.default_year, self.input.utc_offset_s);
        if let Some(t) = time {
            self.result.max_time = Some(self.result.max_time.map_or(t, |m| m.max(t)));
        }
        rules.prefilter.literals_in(raw, &mut self.lit_ids);
        self.hits.clear();
        for &id in &self.lit_ids {
            self.hits.extend_from_slice(&rules.literal_rules[id]);
        }
        self.hits.sort_unstable();
        self.hits.dedup();
        let mut catalog_done = false;
        let hits = std::mem::take(&mut self.hits);
        for &r in &hits {
            let rule = &rules.rules[r];
            if rule.tag.as_deref().is_some_and(|t| t != line.tag) {
                continue;
            }
            match rule.kind {
                Kind::Catalog(i) if !catalog_done => {
                    let Some(p) = &rule.pattern else { continue };
                    let Some(caps) = p.regex.captures(line.message) else {
                        continue;
                    };
                    catalog_done = true;
                    let Some(t) = time else {
                        self.result.untimed += 1;
                        continue;
                    };
                    self.on_catalog(i, rule, p, &caps, &line, line_no, raw, t, sink);
                }
                Kind::Catalog(_) => {}
                Kind::Marker(i) => {
                    let Some(p) = &rule.pattern else { continue };
                    if !p.regex.is_match(line.message) {
                        continue;
                    }
                    let Some(t) = time else {
                        self.result.untimed += 1;
                        continue;
                    };
                    let msg = rules.markers[i].trim().to_string();
                    if !self.result.markers.contains_key(&msg) {
                        let evidence = logcat_evidence(line_no, raw);
                        self.result
                            .markers
                            .insert(msg.clone(), (t, evidence.clone()));
                        self.emit(
                            Event {
                                source: Source::Logcat,
                                kind: EventKind::Marker,
                                category: None,
                                timing: Timing::instant(t),
                                api: None,
                                outcome: None,
                                pid: line.pid,
                                uid: line.uid.and_then(|u| u.id()),
                                actor: None,
                                detail: format!("Prior marker: {msg}"),
                                evidence,
                            },
                            sink,
                        );
                    }
                }
                Kind::Am => {
                    if let Some(ev) = events::decode(line.tag, line.message) {
                        match time {
                            Some(t) => self.on_am(ev, &line, line_no, raw, t, sink),
                            None => self.result.untimed += 1,
                        }
                    }
                }
            }
        }
        self.hits = hits;
    }

    fn attribute(&self, names_app: bool, captured_uid: Option<u32>, line: &LogLine<'_>) -> Attr {
        if names_app {
            return match captured_uid {
                None => Attr::Yes,
                Some(u) => match self.result.uid {
                    Some(app) if app == u => Attr::Yes,
                    Some(_) => Attr::No,
                    None => Attr::Pending {
                        uid: Some(u),
                        pid: None,
                    },
                },
            };
        }
        let line_uid = line.uid.and_then(|u| u.id());
        if line.pid.is_some_and(|p| self.result.pids.contains(&p)) {
            // The pid belongs to the app, unless the uid column says otherwise.
            return match (line_uid, self.result.uid) {
                (Some(lu), Some(app)) if lu != app && !is_isolated(lu) => Attr::No,
                _ => Attr::Yes,
            };
        }
        match (line_uid, self.result.uid) {
            (Some(lu), Some(app)) if lu == app => Attr::Yes,
            (Some(_), Some(_)) => Attr::No,
            (lu, None) => Attr::Pending {
                uid: lu,
                pid: line.pid,
            },
            // No uid column and not one of the app's pids (their start lines come first).
            (None, Some(_)) => Attr::No,
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site; the pieces of one matched line"
    )]
    fn on_catalog(
        &mut self,
        index: usize,
        rule: &Rule,
        p: &LinePattern,
        caps: &regex::bytes::Captures<'_>,
        line: &LogLine<'_>,
        line_no: u64,
        raw: &[u8],
        t: Micros,
        sink: &mut EventSink,
    ) {
        let entry = &self.input.catalog.logcat[index];
        let category = match entry.category {
            CategoryRule::Fixed(c) => c,
            CategoryRule::FromPermission => {
                let Some(perm) = caps
                    .name("permission")
                    .and_then(|m| std::str::from_utf8(m.as_bytes()).ok())
                else {
                    return;
                };
                match self.input.catalog.category_of_permission(perm) {
                    Some(c) => c,
                    None => return,
                }
            }
        };
        let captured_uid = if p.has_uid {
            caps.name("uid")
                .and_then(|m| std::str::from_utf8(m.as_bytes()).ok())
                .and_then(|s| s.parse().ok())
        } else {
            None
        };
        if p.has_uid && captured_uid.is_none() {
            return;
        }
        let attr = self.attribute(rule.names_app, captured_uid, line);
        let outcome_word = match entry.outcome {
            Outcome::Granted => "granted",
            Outcome::Denied => "denied",
            Outcome::Unknown => "result unknown",
        };
        let ev = Event {
            source: Source::Logcat,
            kind: EventKind::DataAccess,
            category: Some(category),
            timing: Timing::instant(t),
            api: Some(prior_model::Signal::parse(&logscan::fill_template(
                &entry.api, caps,
            ))),
            outcome: Some(entry.outcome),
            pid: line.pid,
            uid: line.uid.and_then(|u| u.id()),
            actor: None,
            detail: format!(
                "{} ({outcome_word}; logcat pattern {})",
                entry.what, entry.id
            ),
            evidence: logcat_evidence(line_no, raw),
        };
        self.hold(attr, !rule.names_app, ev, sink);
    }

    fn trusted_system(line: &LogLine<'_>) -> bool {
        line.uid
            .and_then(|u| u.id())
            .is_none_or(|u| u == SYSTEM_UID)
    }

    fn is_app_process(&self, process: &str) -> bool {
        super::is_app_process(self.input.package, process)
    }

    fn on_am(
        &mut self,
        ev: AmEvent,
        line: &LogLine<'_>,
        line_no: u64,
        raw: &[u8],
        t: Micros,
        sink: &mut EventSink,
    ) {
        let base = |kind: EventKind, detail: String| Event {
            source: Source::Logcat,
            kind,
            category: None,
            timing: Timing::instant(t),
            api: None,
            outcome: None,
            pid: None,
            uid: None,
            actor: None,
            detail,
            evidence: logcat_evidence(line_no, raw),
        };
        match ev {
            AmEvent::ProcStart(p)
                if Self::trusted_system(line) && self.is_app_process(&p.process) =>
            {
                if p.process == self.input.package && self.result.uid.is_none() {
                    self.result.uid = Some(p.uid);
                    self.result.uid_from_logcat = true;
                }
                if self.result.pids.insert(p.pid) {
                    let mut e = base(
                        EventKind::ProcessStart,
                        format!(
                            "process {} started (pid {}, uid {}, for {})",
                            p.process, p.pid, p.uid, p.hosting_type
                        ),
                    );
                    e.pid = Some(p.pid);
                    e.uid = Some(p.uid);
                    self.emit(e, sink);
                }
            }
            AmEvent::ProcDied(d)
                if Self::trusted_system(line) && self.is_app_process(&d.process) =>
            {
                let mut e = base(
                    EventKind::ProcessDeath,
                    format!("process {} (pid {}) died", d.process, d.pid),
                );
                e.pid = Some(d.pid);
                self.emit(e, sink);
            }
            AmEvent::Kill(k) if Self::trusted_system(line) && self.is_app_process(&k.process) => {
                let mut e = base(
                    EventKind::ProcessDeath,
                    format!("process {} (pid {}) killed: {}", k.process, k.pid, k.reason),
                );
                e.pid = Some(k.pid);
                self.emit(e, sink);
            }
            AmEvent::CrashProcess(c)
                if self.is_app_process(&c.process) && line.pid.is_none_or(|p| p == c.pid) =>
            {
                let mut e = base(
                    EventKind::ProcessDeath,
                    format!("process {} (pid {}) crashed", c.process, c.pid),
                );
                e.pid = Some(c.pid);
                self.emit(e, sink);
            }
            AmEvent::Displayed(d) if Self::trusted_system(line) => {
                let ours = d
                    .component
                    .strip_prefix(self.input.package)
                    .is_some_and(|r| r.starts_with('/'));
                if ours {
                    let e = base(
                        EventKind::ActivityDisplayed,
                        format!("{} displayed (+{} ms)", d.component, d.duration_ms),
                    );
                    self.emit(e, sink);
                }
            }
            AmEvent::StartActivity(s) if s.is_permission_request && Self::trusted_system(line) => {
                let Some(from) = s.from_uid else { return };
                let attr = self.attribute(true, Some(from), line);
                let mut e = base(
                    EventKind::PermissionPrompt,
                    format!(
                        "runtime-permission dialog started for uid {from} ({})",
                        s.component.as_deref().unwrap_or("GrantPermissionsActivity")
                    ),
                );
                e.api = Some(prior_model::Signal::Api(
                    "GrantPermissionsActivity".to_string(),
                ));
                e.uid = Some(from);
                self.hold(attr, false, e, sink);
            }
            _ => {}
        }
    }
}

/// Isolated processes (`android:isolatedProcess`, app zygote) run under uids 90000–99999 of
/// the user (AOSP `Process.FIRST_ISOLATED_UID`..`LAST_APPLICATION_UID`).
fn is_isolated(uid: u32) -> bool {
    (90_000..100_000).contains(&(uid % 100_000))
}

fn logcat_evidence(line_no: u64, raw: &[u8]) -> Evidence {
    Evidence {
        file: LOGCAT_FILE.to_string(),
        line: line_no,
        text: evidence_text(raw),
    }
}
