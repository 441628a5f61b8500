//! Proof of transmission (issue 18): the honey values of `raw/device/honey.json` searched in
//! the intercepted requests of `raw/http.jsonl`.
//!
//! - **Reading**: `raw/http.jsonl` is streamed one line at a time, each line cut at
//!   [`MAX_HTTP_LINE`] bytes (the rest of an over-long line is skipped and counted); a line
//!   that is not a JSON object of a known `type` is counted with its number, never fatal. A
//!   body is base64 in the line; a body mitmproxy could not decode (`request_body_decoded:
//!   false`) is decompressed here by its `Content-Encoding` (gzip, deflate, br), never past
//!   [`search::MAX_DECODED`] bytes.
//! - **Clock**: flow times are the host's; they are placed on the device clock with
//!   `meta.device.clock_offset_us`, like the network capture.
//! - **Matching**: [`forms`] and [`search`].
//! - **Rule**: a match placed before consent is `transmission-before-consent`, with the host's
//!   SDK (the SDK catalogue, else the tracker catalogue) as actor. Findings are grouped by
//!   category, actor and host; one whose actor has an access of the same category before
//!   consent (`pre-consent-access`) joins it: one access, one finding, seen by `http` too.
//! - **Coverage**: no `raw/http.jsonl` makes the `http` source `unavailable` (`not_started`),
//!   never a clean "no transmission". A `tls_failed` record (a pinned connection) is a note.
//! - **Values**: the report keeps the raw values and matches; renderers redact them unless
//!   asked (`prior_report::redact`).

pub(crate) mod forms;
pub(crate) mod search;
#[cfg(test)]
mod tests;

use crate::AnalyzeError;
use crate::catalog::Catalog;
use crate::coverage::State;
use crate::profile::{Profile, RuleId};
use crate::report::{
    ConsentReport, CoverageReason, MAX_EVIDENCE, OutcomeCounts, ReportFinding, SourceCheck,
    SourceStatus,
};
use forms::{Matcher, Target};
use prior_model::bundle::{Bundle, BundleError, MAX_CLOCK_OFFSET_US};
use prior_model::{Actor, ActorKind, DataCategory, Evidence, Micros, Phase, Source, Timing};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

/// The intercepted flows' place in the bundle.
pub const HTTP_FILE: &str = "raw/http.jsonl";
/// The honey values' place in the bundle.
pub const HONEY_FILE: &str = "raw/device/honey.json";
/// Longest line of `raw/http.jsonl` read; the rest of a longer line is skipped.
pub const MAX_HTTP_LINE: usize = 32 << 20;
/// Largest `raw/device/honey.json`.
pub const MAX_HONEY_BYTES: u64 = 1 << 20;
/// Matches kept in the report (more are counted).
pub const MAX_MATCHES: usize = 1_000;
/// Pinned hosts listed (more are counted).
pub const MAX_TLS_FAILED: usize = 200;
/// Bad lines named by number in the source's note.
const MAX_BAD_LINES_NAMED: usize = 10;

/// `raw/device/honey.json` (the contract's shape; a private copy until `prior_model::honey`).
#[derive(Debug, Clone, Deserialize)]
struct HoneyFile {
    #[serde(default)]
    #[allow(dead_code)]
    format: u32,
    #[serde(default)]
    values: Vec<HoneyEntry>,
}

#[derive(Debug, Clone, Deserialize)]
struct HoneyEntry {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default)]
    state: String,
    #[serde(default)]
    obtained: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// What the report says about transmissions (`transmission` in the JSON report).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransmissionReport {
    /// The honey values of the session (their `value` is redacted by renderers).
    pub honey: Vec<HoneyFacts>,
    /// Every match, in file order (at most [`MAX_MATCHES`]).
    pub matches: Vec<TransmissionMatch>,
    /// Matches beyond [`MAX_MATCHES`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub matches_omitted: u64,
    /// Connections the proxy could not decrypt (certificate pinning, …).
    pub tls_failed: Vec<TlsFailure>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One honey value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoneyFacts {
    /// `imei`, `location`, …
    pub kind: String,
    /// Its personal-data category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<DataCategory>,
    /// `set` | `read` | `unavailable`.
    pub state: String,
    /// The value (secret: redacted unless `--show-values`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Whether it was searched (a value needs a category and a usable value).
    pub searched: bool,
    /// How it was obtained, or why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A honey value found in a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransmissionMatch {
    /// Line of `raw/http.jsonl`.
    pub line: u64,
    /// Device time of the request, when it could be placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_us: Option<Micros>,
    /// Where it lies relative to consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// HTTP method.
    pub method: String,
    /// Host the request went to.
    pub host: String,
    /// Path and query.
    pub path: String,
    /// The honey value's kind.
    pub kind: String,
    /// Its category.
    pub category: DataCategory,
    /// The value (secret).
    pub value: String,
    /// How it was encoded (`plain`, `md5 hex`, `base64url of the upper-case form`, …).
    pub encoding: String,
    /// Where in the request: `url`, `header NAME`, `body $.a.b`, `body form field NAME`, …
    #[serde(rename = "where")]
    pub place: String,
    /// The text found (for a hash the hash; for a location `lat,lon` as written).
    pub matched: String,
    /// The found text is a hash of the value (shown as is; the value is redacted).
    pub hash: bool,
    /// The bytes around it.
    pub context: String,
    /// The receiver's SDK, from the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    /// The rule it made fire, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// A connection that was not decrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsFailure {
    /// Line of `raw/http.jsonl`.
    pub line: u64,
    /// The host (SNI, else the server).
    pub host: String,
    /// What the proxy said.
    pub error: String,
    /// Device time of the failed handshake, when it could be placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_us: Option<Micros>,
    /// Where it lies relative to consent (`None`: not placed, or before the launch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
}

/// What the `http` pass read.
#[derive(Debug, Default)]
pub(crate) struct HttpResult {
    /// `raw/http.jsonl` exists.
    pub present: bool,
    /// It was not read: why (reads after "failed to").
    pub unreadable: Option<String>,
    /// `raw/device/honey.json` exists.
    pub honey_present: bool,
    /// It could not be used: why.
    pub honey_error: Option<String>,
    /// Values searched.
    pub searched: usize,
    /// Lines read.
    pub lines: u64,
    /// Flow records.
    pub flows: u64,
    /// Flows without a time (searched, not placed).
    pub untimed: u64,
    /// Lines that are not a JSON object of a known type (their numbers, the first few).
    pub bad_lines: Vec<u64>,
    /// How many.
    pub bad: u64,
    /// Lines longer than [`MAX_HTTP_LINE`].
    pub overlong: u64,
    /// Requests whose body could not be decoded (bad base64, damaged or unknown compression).
    pub body_notes: Vec<String>,
    /// The offset applied.
    pub offset_us: Option<i64>,
    /// Connections not decrypted (pinning) that were not placed after consent: what the app
    /// sent in them before consent is unknown.
    pub hidden_before_consent: u64,
    /// What goes into the report.
    pub report: Option<TransmissionReport>,
}

/// Everything the pass needs besides the bundle.
pub(crate) struct HttpInput<'a> {
    pub catalog: &'a Catalog,
    /// The SDK catalogue of the analysis inputs: it names a host's SDK.
    pub sdks: &'a prior_apk::SdkCatalog,
    pub profile: &'a Profile,
    pub consent: &'a ConsentReport,
    pub package: &'a str,
    pub clock_offset_us: Option<i64>,
    /// Requests before the launch are the device's, not the app's (as for the capture).
    pub launch_us: Option<Micros>,
}

/// The category of a honey kind (the contract's kinds), `None` for an unknown kind.
pub fn category_of_kind(kind: &str) -> Option<DataCategory> {
    Some(match kind {
        "imei" | "serial" | "sim_serial" | "iccid" | "imsi" | "android_id" | "advertising_id" => {
            DataCategory::DeviceIdentifiers
        }
        "phone_number" => DataCategory::PhoneNumber,
        "wifi_mac" | "wifi_ssid" | "bt_mac" => DataCategory::NetworkIdentifiers,
        "location" => DataCategory::Location,
        "contact_name" | "contact_phone" | "contact_email" => DataCategory::Contacts,
        "calendar_title" => DataCategory::Calendar,
        "clipboard" => DataCategory::Clipboard,
        _ => return None,
    })
}

/// The facts for the report, the targets to search and each target's category.
type Honey = (Vec<HoneyFacts>, Vec<Target>, Vec<DataCategory>);

/// Reads the honey values.
fn honey(bundle: &Bundle, out: &mut HttpResult) -> Result<Honey, AnalyzeError> {
    let bytes = match bundle.read_file(HONEY_FILE, MAX_HONEY_BYTES) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok((Vec::new(), Vec::new(), Vec::new())),
        Err(
            e @ (BundleError::TooLarge { .. }
            | BundleError::NotRegular { .. }
            | BundleError::BadPath(_)),
        ) => {
            out.honey_present = true;
            out.honey_error = Some(format!("failed to {e}"));
            return Ok((Vec::new(), Vec::new(), Vec::new()));
        }
        Err(e) => return Err(AnalyzeError::Bundle(e)),
    };
    out.honey_present = true;
    let file: HoneyFile = match serde_json::from_slice(&bytes) {
        Ok(f) => f,
        Err(e) => {
            out.honey_error = Some(format!("{HONEY_FILE} is not valid: {e}"));
            return Ok((Vec::new(), Vec::new(), Vec::new()));
        }
    };
    let mut facts = Vec::new();
    let mut targets = Vec::new();
    let mut cats = Vec::new();
    for v in file.values.into_iter().take(1000) {
        let kind = search::name(&v.kind);
        let category = category_of_kind(&v.kind).or_else(|| {
            v.category
                .as_deref()
                .and_then(|c| serde_json::from_value(serde_json::Value::String(c.into())).ok())
        });
        let usable = v.state != "unavailable";
        let target = match (&v.value, v.kind.as_str()) {
            _ if !usable || category.is_none() => None,
            (_, "location") => {
                let ll = match (v.lat, v.lon) {
                    (Some(a), Some(o)) => Some((a, o)),
                    _ => v.value.as_deref().and_then(|s| {
                        let (a, o) = s.split_once(',')?;
                        Some((a.trim().parse().ok()?, o.trim().parse().ok()?))
                    }),
                };
                ll.filter(|(a, o): &(f64, f64)| a.is_finite() && o.is_finite())
                    .map(|ll| Target {
                        kind: "location".into(),
                        value: v
                            .value
                            .clone()
                            .unwrap_or_else(|| format!("{},{}", ll.0, ll.1)),
                        latlon: Some(ll),
                    })
            }
            (Some(val), _) if !val.trim().is_empty() && val.len() <= 4096 => Some(Target {
                kind: v.kind.clone(),
                value: val.clone(),
                latlon: None,
            }),
            _ => None,
        };
        facts.push(HoneyFacts {
            kind,
            category,
            state: search::name(&v.state),
            value: v
                .value
                .as_deref()
                .map(prior_model::text::escape_line)
                .map(|c| c.into_owned()),
            searched: target.is_some(),
            note: v
                .obtained
                .or(v.reason)
                .map(|s| prior_model::text::escape_line(&s).into_owned()),
        });
        if let (Some(t), Some(c)) = (target, category) {
            targets.push(t);
            cats.push(c);
        }
    }
    Ok((facts, targets, cats))
}

/// One line of `raw/http.jsonl`, cut at `cap` bytes: `None` at the end of the file, else
/// whether the line was longer.
fn read_line_capped<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut over = false;
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any.then_some(over));
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(p) => (p, Some(p + 1)),
            None => (chunk.len(), None),
        };
        let room = cap.saturating_sub(buf.len());
        if take > room {
            over = true;
        }
        buf.extend_from_slice(&chunk[..take.min(room)]);
        let used = done.unwrap_or(chunk.len());
        r.consume(used);
        if done.is_some() {
            return Ok(Some(over));
        }
    }
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Headers kept per request (more are skipped while parsing, never held).
pub const MAX_HEADERS: usize = 500;

/// One line of `raw/http.jsonl` (the contract's fields; others are skipped without being
/// held: a line is parsed into this, never into a generic JSON tree).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct FlowLine {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub host_us: Option<i64>,
    pub method: String,
    pub scheme: String,
    pub host: String,
    pub path: String,
    pub url: String,
    #[serde(deserialize_with = "capped_headers")]
    pub request_headers: Vec<(String, String)>,
    pub request_body_b64: String,
    pub request_body_decoded: Option<bool>,
    pub sni: String,
    pub server: String,
    pub error: String,
}

/// `[[name, value], …]`: the first [`MAX_HEADERS`] pairs of strings; other entries skipped.
fn capped_headers<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<(String, String)>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of [name, value] pairs")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while out.len() < MAX_HEADERS {
                match a.next_element::<serde_json::Value>()? {
                    None => return Ok(out),
                    Some(p) => {
                        if let (Some(k), Some(v)) = (
                            p.get(0).and_then(|x| x.as_str()),
                            p.get(1).and_then(|x| x.as_str()),
                        ) {
                            out.push((k.to_string(), v.to_string()));
                        }
                    }
                }
            }
            while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(out)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(V)
}

/// The actor a host names: the SDK catalogue's SDK, else the tracker catalogue's tracker.
fn actor_of_host(catalog: &Catalog, sdks: &prior_apk::SdkCatalog, host: &str) -> Option<Actor> {
    let name = sdks
        .sdk_of_host(host)
        .map(|(sdk, _)| sdk.name.clone())
        .or_else(|| catalog.tracker_of_host(host).map(|t| t.name.clone()))?;
    Some(Actor {
        kind: ActorKind::Sdk,
        name,
        reason: Some(format!(
            "host {host} (the request's receiver, from the SDK catalogue; confidence medium: a host names the \
             receiver, not the sender)"
        )),
    })
}

/// Searches one flow record: every honey value found in it.
pub(crate) fn search_flow(m: &Matcher, v: &FlowLine) -> (Vec<search::Found>, Vec<String>) {
    let mut s = search::FlowSearch::new(m);
    let url = v.url.as_str();
    let url = if url.is_empty() {
        format!("{}://{}{}", v.scheme, v.host, v.path)
    } else {
        url.to_string()
    };
    s.search(url.as_bytes(), "url", true);
    if let Some((_, q)) = url.split_once('?') {
        let q = q.split('#').next().unwrap_or(q);
        s.search_form(q.as_bytes(), "url query parameter");
    }
    let headers = &v.request_headers;
    for (k, val) in headers {
        s.search(val.as_bytes(), &format!("header {}", search::name(k)), true);
    }
    let b64 = v.request_body_b64.as_str();
    if !b64.is_empty() {
        use base64::Engine as _;
        let cleaned: Vec<u8> = b64.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        let trimmed = cleaned
            .strip_suffix(b"==")
            .or(cleaned.strip_suffix(b"="))
            .unwrap_or(&cleaned);
        match base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed) {
            Err(e) => s.notes.push(format!(
                "request_body_b64 is not base64 ({e}): the body was not searched"
            )),
            Ok(body) => {
                let decoded = v.request_body_decoded.unwrap_or(true);
                let mut body = body;
                let enc = header(headers, "content-encoding").unwrap_or("");
                if !decoded && !enc.trim().is_empty() {
                    // `gzip, br`: applied in that order, undone in reverse.
                    for e in enc.rsplit(',') {
                        match search::decode_content(e, &body) {
                            Some((d, note)) => {
                                if let Some(n) = note {
                                    s.notes
                                        .push(format!("{} body: {n}", search::name(e.trim())));
                                }
                                body = d;
                            }
                            None => {
                                s.notes.push(format!(
                                    "content encoding {} is not decoded by Prior: the body was searched as sent",
                                    search::name(e.trim())
                                ));
                                break;
                            }
                        }
                    }
                } else if body.starts_with(&[0x1f, 0x8b])
                    && let Some((d, note)) = search::decode_content("gzip", &body)
                    && !d.is_empty()
                {
                    if let Some(n) = note {
                        s.notes.push(format!("gzip body: {n}"));
                    }
                    body = d;
                }
                let ct = header(headers, "content-type").unwrap_or("");
                s.search_body(&body, ct);
            }
        }
    }
    s.finish()
}

/// Runs the pass and joins its findings to the access findings they prove.
pub(crate) fn run(
    bundle: &Bundle,
    input: &HttpInput<'_>,
    mut findings: Vec<ReportFinding>,
) -> Result<(Vec<ReportFinding>, HttpResult), AnalyzeError> {
    let mut out = HttpResult {
        offset_us: input.clock_offset_us,
        ..HttpResult::default()
    };
    let file = match bundle.open_file(HTTP_FILE) {
        Ok(Some((f, _))) => Some(f),
        Ok(None) => None,
        Err(e @ BundleError::NotRegular { .. }) => {
            out.present = true;
            out.unreadable = Some(e.to_string());
            None
        }
        Err(e) => return Err(AnalyzeError::Bundle(e)),
    };
    let (facts, targets, cats) = honey(bundle, &mut out)?;
    out.searched = targets.len();
    let Some(file) = file else {
        if out.honey_present || out.present {
            out.report = Some(TransmissionReport {
                honey: facts,
                ..TransmissionReport::default()
            });
        }
        return Ok((findings, out));
    };
    out.present = true;
    let offset = input.clock_offset_us.unwrap_or(0);
    if offset.checked_abs().is_none_or(|a| a > MAX_CLOCK_OFFSET_US) {
        out.unreadable = Some(format!(
            "place the flows on the device clock: meta.json's device.clock_offset_us ({offset} µs) is more than a day"
        ));
        out.report = Some(TransmissionReport {
            honey: facts,
            ..TransmissionReport::default()
        });
        return Ok((findings, out));
    }
    let matcher = Matcher::new(targets);
    let mut report = TransmissionReport {
        honey: facts,
        ..TransmissionReport::default()
    };
    read(
        BufReader::with_capacity(1 << 16, file),
        &matcher,
        &cats,
        input,
        offset,
        &mut report,
        &mut out,
    )
    .map_err(|source| AnalyzeError::Read {
        file: HTTP_FILE.to_string(),
        source,
    })?;
    findings = rule(findings, &mut report, input);
    out.report = Some(report);
    Ok((findings, out))
}

fn read<R: Read>(
    mut r: BufReader<R>,
    m: &Matcher,
    cats: &[DataCategory],
    input: &HttpInput<'_>,
    offset: i64,
    report: &mut TransmissionReport,
    out: &mut HttpResult,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let boundary = input.consent.boundary();
    while let Some(over) = read_line_capped(&mut r, &mut buf, MAX_HTTP_LINE)? {
        out.lines += 1;
        let n = out.lines;
        let bad = |out: &mut HttpResult| {
            out.bad += 1;
            if out.bad_lines.len() < MAX_BAD_LINES_NAMED {
                out.bad_lines.push(n);
            }
        };
        if over {
            out.overlong += 1;
            bad(out);
            continue;
        }
        if buf.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let Ok(v) = serde_json::from_slice::<FlowLine>(&buf) else {
            bad(out);
            continue;
        };
        match v.kind.as_deref() {
            Some("flow") => {}
            Some("tls_failed") => {
                let host = [v.sni.as_str(), v.server.as_str()]
                    .into_iter()
                    .find(|h| !h.is_empty())
                    .unwrap_or("?");
                let device_us = v.host_us.and_then(|t| t.checked_add(offset));
                let before_launch =
                    matches!((device_us, input.launch_us), (Some(t), Some(l)) if t < l);
                let phase = device_us
                    .filter(|_| input.consent.placed && !before_launch)
                    .map(|t| boundary.phase_of(&Timing::instant(t)));
                if !before_launch && phase.is_none_or(|p| p != Phase::AfterConsent) {
                    out.hidden_before_consent += 1;
                }
                if report.tls_failed.len() < MAX_TLS_FAILED {
                    report.tls_failed.push(TlsFailure {
                        line: n,
                        host: search::name(host),
                        error: search::name(&v.error),
                        device_us,
                        phase,
                    });
                }
                continue;
            }
            Some(_) => continue,
            None => {
                bad(out);
                continue;
            }
        }
        out.flows += 1;
        let device_us = v.host_us.and_then(|t| t.checked_add(offset));
        if device_us.is_none() {
            out.untimed += 1;
        }
        let before_launch = matches!((device_us, input.launch_us), (Some(t), Some(l)) if t < l);
        let phase = device_us
            .filter(|_| input.consent.placed && !before_launch)
            .map(|t| boundary.phase_of(&Timing::instant(t)));
        if m.is_empty() {
            continue;
        }
        let (found, notes) = search_flow(m, &v);
        for note in notes {
            if out.body_notes.len() < MAX_BAD_LINES_NAMED {
                out.body_notes.push(format!("line {n}: {note}"));
            }
        }
        let host = search::name(&v.host);
        for f in found {
            if report.matches.len() >= MAX_MATCHES {
                report.matches_omitted += 1;
                continue;
            }
            let t = &m.targets[f.target];
            let Some(&category) = cats.get(f.target) else {
                continue;
            };
            report.matches.push(TransmissionMatch {
                line: n,
                device_us,
                phase,
                method: search::name(&v.method),
                host: host.clone(),
                path: prior_model::text::escape_line(&v.path).into_owned(),
                kind: t.kind.clone(),
                category,
                value: prior_model::text::escape_line(&t.value).into_owned(),
                encoding: f.encoding,
                place: f.place,
                matched: f.matched,
                hash: f.hash,
                context: f.context,
                actor: actor_of_host(input.catalog, input.sdks, &v.host),
                rule: None,
            });
        }
    }
    Ok(())
}

/// The text of one match as evidence.
fn evidence_of(m: &TransmissionMatch) -> Evidence {
    let shown = if m.hash {
        format!("{} ({} of {})", m.matched, m.encoding, m.value)
    } else {
        format!("{} ({})", m.matched, m.encoding)
    };
    Evidence {
        file: HTTP_FILE.to_string(),
        line: m.line,
        text: crate::sources::evidence_text(
            format!(
                "{} {}{}: {} {} in {}: {}",
                m.method, m.host, m.path, m.kind, shown, m.place, m.context
            )
            .as_bytes(),
        ),
    }
}

/// Words of an access's API (method name, app-op or permission) that say it reads a honey
/// value of this kind; `None` for a kind whose category says enough (location, contacts, …).
fn api_hints(kind: &str) -> Option<&'static [&'static str]> {
    const PHONE_STATE: [&str; 2] = ["READ_DEVICE_IDENTIFIERS", "READ_PHONE_STATE"];
    Some(match kind {
        "imei" => &["Imei", "DeviceId", "Meid", PHONE_STATE[0], PHONE_STATE[1]],
        "serial" => &["getSerial", "SerialForPackage", PHONE_STATE[0]],
        "sim_serial" | "iccid" => &[
            "IccSerial",
            "SimSerial",
            "IccId",
            PHONE_STATE[0],
            PHONE_STATE[1],
        ],
        "imsi" => &["SubscriberId", PHONE_STATE[0], PHONE_STATE[1]],
        "android_id" => &["ContentProviderProxy.call", "Settings$Secure", "AndroidId"],
        "advertising_id" => &["AdvertisingId", "getAdId"],
        "phone_number" => &["Line1Number", "PhoneNumber", "READ_PHONE_NUMBERS"],
        "wifi_mac" => &["MacAddress", "ConnectionInfo", "WIFI_STATE"],
        "wifi_ssid" => &["ConnectionInfo", "ScanResults", "Ssid", "WIFI_STATE"],
        "bt_mac" => &["Bluetooth", "getAddress"],
        _ => return None,
    })
}

/// Whether an access finding's API reads a value of `kind` (any API of the category when the
/// kind has no hints).
fn api_fits(f: &ReportFinding, kind: &str) -> bool {
    let Some(hints) = api_hints(kind) else {
        return true;
    };
    let api = f.api.as_ref().map(ToString::to_string).unwrap_or_default();
    hints.iter().any(|h| api.contains(h))
}

/// The `pre-consent-access` finding a transmission match proves: of its category, before
/// consent, reading a value of its kind (`api_fits`); the receiver's own access first (same
/// actor), else another actor's (an app that reads the location and hands it to an SDK: the
/// host names the receiver, the stack the reader). `None`: no access of that value was seen,
/// and the transmission is its own finding (never joined to an access of another value, such
/// as an ANDROID_ID read for an IMEI sent).
fn join_target(findings: &[ReportFinding], m: &TransmissionMatch) -> Option<usize> {
    let candidates = || {
        findings.iter().enumerate().filter(|(_, f)| {
            f.rule == RuleId::PreConsentAccess.as_str()
                && f.phase == Phase::BeforeConsent
                && f.category == Some(m.category)
                && api_fits(f, &m.kind)
        })
    };
    let same_actor = |f: &ReportFinding| match (&m.actor, &f.actor) {
        (Some(a), Some(b)) => a.kind == b.kind && a.name == b.name,
        _ => false,
    };
    candidates()
        .find(|(_, f)| same_actor(f))
        .or_else(|| candidates().next())
        .map(|(i, _)| i)
}

/// Findings from the matches placed before consent, joined to the accesses they prove.
fn rule(
    mut findings: Vec<ReportFinding>,
    report: &mut TransmissionReport,
    input: &HttpInput<'_>,
) -> Vec<ReportFinding> {
    let Some(cfg) = input.profile.rule(RuleId::TransmissionBeforeConsent) else {
        return findings;
    };
    // Each match before consent goes to the access it proves (`join_target`), else to a
    // finding of its own per category, receiver and host.
    type GroupKey = (
        Option<usize>,
        DataCategory,
        Option<(ActorKind, String)>,
        String,
    );
    let mut groups: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
    for (i, m) in report.matches.iter().enumerate() {
        if m.phase != Some(Phase::BeforeConsent) {
            continue;
        }
        let target = join_target(&findings, m);
        groups
            .entry((
                target,
                m.category,
                m.actor.as_ref().map(|a| (a.kind, a.name.clone())),
                m.host.clone(),
            ))
            .or_default()
            .push(i);
    }
    let when = match input.consent.outcome {
        prior_model::ConsentOutcome::Accepted | prior_model::ConsentOutcome::Rejected => {
            "before the consent screen was answered"
        }
        prior_model::ConsentOutcome::Unanswered => "while the consent screen was still unanswered",
        prior_model::ConsentOutcome::NeverShown => "with no consent given at all",
    };
    for ((target, category, _, host), idx) in groups {
        let Some(severity) = cfg.severity_for(Some(category), false) else {
            continue;
        };
        for &i in &idx {
            report.matches[i].rule = Some(RuleId::TransmissionBeforeConsent.as_str().into());
        }
        let ms: Vec<&TransmissionMatch> = idx.iter().map(|&i| &report.matches[i]).collect();
        let first = ms
            .iter()
            .min_by_key(|m| (m.device_us, m.line))
            .copied()
            .unwrap_or(ms[0]);
        let mut kinds: Vec<String> = ms
            .iter()
            .map(|m| format!("{} ({})", m.kind, m.encoding))
            .collect();
        kinds.sort();
        kinds.dedup();
        let mut lines: Vec<u64> = ms.iter().map(|m| m.line).collect();
        lines.sort_unstable();
        lines.dedup();
        let requests = if lines.len() == 1 {
            "1 request".to_string()
        } else {
            format!("{} requests", lines.len())
        };
        let sentence = format!(
            "The app's traffic carried {} to {host} {when} ({requests}, first {} {}): the data left the device.",
            kinds.join(", "),
            first.method,
            first.path
        );
        let mut evidence: Vec<Evidence> = Vec::new();
        for m in &ms {
            let e = evidence_of(m);
            if evidence.len() < MAX_EVIDENCE && !evidence.contains(&e) {
                evidence.push(e);
            }
        }
        let omitted = ms.len().saturating_sub(evidence.len()) as u64;
        let n = ms.len() as u64;
        let actor = first.actor.clone();
        let timing = Timing::instant(first.device_us.unwrap_or(0));
        match target {
            Some(j) => {
                let g = &mut findings[j];
                g.severity = g.severity.max(severity);
                let receiver = match (&actor, &g.actor) {
                    (Some(a), Some(b)) if a.kind != b.kind || a.name != b.name => format!(
                        " The receiver, {} (by host), is not who read it: the stack names the reader, the host only where the data went.",
                        a.name
                    ),
                    _ => String::new(),
                };
                g.message.push_str(&format!(
                    " http also saw it transmitted ({}): {sentence}{receiver}",
                    RuleId::TransmissionBeforeConsent.as_str()
                ));
                if !g.seen_by.contains(&Source::Http) {
                    g.seen_by.push(Source::Http);
                    g.seen_by.sort();
                }
                g.signals += n;
                for e in evidence {
                    if g.evidence.len() < MAX_EVIDENCE && !g.evidence.contains(&e) {
                        g.evidence.push(e);
                    } else {
                        g.evidence_omitted += 1;
                    }
                }
                g.evidence_omitted += omitted;
            }
            None => findings.push(ReportFinding {
                rule: RuleId::TransmissionBeforeConsent.as_str().to_string(),
                severity,
                category: Some(category),
                phase: Phase::BeforeConsent,
                source: Source::Http,
                timing,
                api: Some(prior_model::Signal::Transmission(host.to_string())),
                actor,
                message: format!(
                    "{} sent {} {when}. {sentence}",
                    input.package,
                    category.label()
                ),
                events: n,
                outcomes: OutcomeCounts {
                    granted: n,
                    ..OutcomeCounts::default()
                },
                evidence,
                evidence_omitted: omitted,
                seen_by: vec![Source::Http],
                signals: n,
            }),
        }
    }
    crate::rules::sort_findings(&mut findings);
    findings
}

/// The `http` line of `checked.sources` and its state.
pub(crate) fn http_check(h: &HttpResult) -> (State, SourceCheck) {
    let check = |status, files: Vec<String>, note: Option<String>| SourceCheck {
        source: Source::Http,
        status,
        reason: None,
        detail: None,
        required: false,
        files,
        items: h.flows,
        events: h.report.as_ref().map_or(0, |r| r.matches.len() as u64),
        note,
    };
    if !h.present {
        return (
            State::new(
                SourceStatus::Unavailable,
                CoverageReason::NotStarted,
                format!(
                    "no {HTTP_FILE} in the bundle: the traffic was not intercepted, so transmissions of personal \
                     data were not checked (which is not the same as none)"
                ),
            ),
            check(SourceStatus::Unavailable, Vec::new(), None),
        );
    }
    if let Some(why) = &h.unreadable {
        let t = format!("not read: failed to {why}");
        return (
            State::new(SourceStatus::Failed, CoverageReason::Unreadable, t.clone()),
            check(SourceStatus::Failed, vec![HTTP_FILE.into()], Some(t)),
        );
    }
    let mut files = vec![HTTP_FILE.to_string()];
    let mut state = State::analysed();
    if !h.honey_present {
        state = state.and(State::new(
            SourceStatus::Unavailable,
            CoverageReason::FilesMissing,
            format!("no {HONEY_FILE}: there was no known value to search the traffic for"),
        ));
    } else {
        files.push(HONEY_FILE.into());
        if let Some(e) = &h.honey_error {
            state = state.and(State::new(
                SourceStatus::Failed,
                CoverageReason::Unreadable,
                format!("{HONEY_FILE} could not be used: {e}"),
            ));
        } else if h.searched == 0 {
            state = state.and(State::new(
                SourceStatus::Unavailable,
                CoverageReason::NoOutput,
                format!("{HONEY_FILE} holds no value that could be searched for"),
            ));
        }
    }
    let mut note = vec![format!(
        "{} request(s) searched for {} honey value(s), {} match(es)",
        h.flows,
        h.searched,
        h.report
            .as_ref()
            .map_or(0, |r| r.matches.len() as u64 + r.matches_omitted)
    )];
    note.push(match h.offset_us {
        Some(o) => format!(
            "request times placed on the device clock with meta.device.clock_offset_us ({o:+} µs)"
        ),
        None => {
            "meta.json has no device clock offset: request times were taken as device times".into()
        }
    });
    if let Some(r) = &h.report {
        for t in &r.tls_failed {
            note.push(format!(
                "pinned connection to {}: not decrypted (line {})",
                t.host, t.line
            ));
        }
        if h.hidden_before_consent > 0 {
            // Pinning is the app's choice, but a connection Prior could not read before
            // consent is traffic it cannot vouch for: never a clean "nothing was sent".
            let mut hosts: Vec<&str> = r
                .tls_failed
                .iter()
                .filter(|t| t.phase != Some(Phase::AfterConsent))
                .map(|t| t.host.as_str())
                .collect();
            hosts.sort_unstable();
            hosts.dedup();
            state = state.and(State::new(
                SourceStatus::Partial,
                CoverageReason::Unreadable,
                format!(
                    "HTTPS not decrypted before consent: {} connection(s) refused the proxy's certificate (pinning?) to {}; what the app sent there is unknown",
                    h.hidden_before_consent,
                    hosts.join(", ")
                ),
            ));
        }
        if r.matches_omitted > 0 {
            let t = format!(
                "{} matches beyond the first {MAX_MATCHES} were not kept",
                r.matches_omitted
            );
            state = state.and(State::new(
                SourceStatus::Partial,
                CoverageReason::Unplaced,
                t.clone(),
            ));
            note.push(t);
        }
    }
    if h.bad > 0 {
        let lines: Vec<String> = h.bad_lines.iter().map(u64::to_string).collect();
        let t = format!(
            "{} lines could not be read ({}{}){}",
            h.bad,
            lines.join(", "),
            if h.bad as usize > lines.len() {
                ", …"
            } else {
                ""
            },
            if h.overlong > 0 {
                format!(
                    ", {} of them longer than {} MiB",
                    h.overlong,
                    MAX_HTTP_LINE >> 20
                )
            } else {
                String::new()
            }
        );
        state = state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::Unreadable,
            t.clone(),
        ));
        note.push(t);
    }
    if !h.body_notes.is_empty() {
        let t = format!(
            "some requests were searched only in part: {}",
            h.body_notes.join("; ")
        );
        state = state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::Unreadable,
            t.clone(),
        ));
        note.push(t);
    }
    if h.untimed > 0 {
        let t = format!("{} requests had no time and were not placed", h.untimed);
        state = state.and(State::new(
            SourceStatus::Partial,
            CoverageReason::Unplaced,
            t.clone(),
        ));
        note.push(t);
    }
    (
        state,
        check(SourceStatus::Analysed, files, Some(note.join("; "))),
    )
}

/// The texts that show a honey value itself (every literal form the matcher searches, not its
/// hashes; a location's value and its two coordinates as recorded): what a renderer redacts.
/// Values shorter than [`forms::MIN_LITERAL_LEN`] give only themselves.
pub fn literal_forms(kind: &str, value: &str) -> Vec<String> {
    let mut out = vec![value.to_string()];
    if kind == "location" {
        out.extend(value.split(',').map(|c| c.trim().to_string()));
    } else {
        let t = Target {
            kind: kind.to_string(),
            value: value.to_string(),
            latlon: None,
        };
        out.extend(
            forms::forms_of(0, &t)
                .into_iter()
                .filter(|f| !f.hash)
                .filter_map(|f| String::from_utf8(f.text).ok()),
        );
    }
    out.retain(|s| !s.is_empty());
    out.sort();
    out.dedup();
    out
}
