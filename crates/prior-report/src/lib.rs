//! Renderers of an analysis [`Report`]: a terminal summary ([`render_text`]), the stable
//! JSON form ([`render_json`], documented in `docs/report-json.md`) and a batch of them
//! ([`render_json_batch`]), a self-contained HTML page with a timeline ([`render_html`]),
//! JUnit XML ([`render_junit`]), SARIF 2.1.0 ([`render_sarif`]), and baselines
//! ([`Baseline`]) matched by [`fingerprint`]. A [`Judgement`] (the scenario's `expect:` and
//! a baseline comparison, built by the CLI) says which findings still count, so text, JUnit
//! and SARIF agree with the exit code. `docs/reports.md` describes every format.
//! The text and HTML reports come in English or Simplified Chinese ([`Lang`], `i18n.rs`);
//! machine formats are always English.
//!
//! Architecture invariant: renderers only format; every decision (verdict, severity, phase)
//! was made by `prior-analyze`. Everything the app or the bundle controls (package names,
//! log lines, scenario names) is treated as hostile: control characters are escaped in text
//! output, so a log line cannot move the cursor or recolour the terminal.

pub mod baseline;
pub mod html;
pub mod i18n;
pub mod judgement;
mod junit;
pub mod sarif;
mod text;
mod timefmt;

pub use baseline::{Baseline, BaselineDiff, BaselineEntry};
pub use html::{HtmlRun, Screenshot, render_html, render_html_lang};
pub use i18n::Lang;
pub use judgement::{Expectations, FindingStatus, Judgement};
pub use junit::{RunError, render_junit, render_junit_judged, render_junit_run};
pub use sarif::{SarifRun, render_sarif};
pub use text::{render_text, render_text_judged, render_text_lang};

use prior_analyze::Report;
use std::path::Path;

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The HTML template failed (a bug in Prior, not in the input).
    #[error("render the HTML template: {0}")]
    Template(String),
    /// Writing XML failed.
    #[error("write the JUnit XML: {0}")]
    Xml(String),
    /// Reading a file of the bundle failed.
    #[error("read {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// A finding the scenario accepts (`expect.allow`): shown as allowed in HTML and as an
/// accepted external suppression in SARIF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Index of the finding in `Report::findings`.
    pub finding: usize,
    /// The allow entry's reason.
    pub reason: String,
    /// Its last day (`YYYY-MM-DD`), when it has one.
    pub expires: Option<String>,
}

/// Where a piece of evidence is, for people: `file:line` for text files; for a network
/// capture (`.pcap`/`.pcapng`), whose evidence `line` is the packet number,
/// `raw/net.pcap packet #N` (Wireshark's frame number).
pub(crate) fn evidence_place(e: &prior_model::Evidence) -> String {
    if e.file.ends_with(".pcap") || e.file.ends_with(".pcapng") {
        format!("{} packet #{}", e.file, e.line)
    } else {
        format!("{}:{}", e.file, e.line)
    }
}

/// The stable fingerprint of a finding — of the access it is (issue 14) — used by SARIF
/// (`partialFingerprints["priorAccess/v2"]`) and baselines: the first 16 bytes (hex) of sha256
/// over `prior-access/v2`, the package, rule, category, normalised API ([`normalised_api`]) and
/// actor name, NUL-separated. Times, counts, evidence and the collector are left out on purpose,
/// so the same access in another run of the same app — even seen by another collector, as
/// `getImeiForSlot` in logcat instead of `ITelephony.getImeiForSlot` in the IPC trace — gives
/// the same fingerprint.
pub fn fingerprint(package: &str, f: &prior_analyze::report::ReportFinding) -> String {
    fingerprint_of(
        package,
        &f.rule,
        f.category.map(|c| c.as_str()),
        f.api.as_ref().map(ToString::to_string).as_deref(),
        f.actor.as_ref().map(|a| a.name.as_str()),
    )
}

/// [`fingerprint`] from the parts a baseline entry keeps (also used to map a format-1
/// baseline's entries to the access fingerprint).
pub fn fingerprint_of(
    package: &str,
    rule: &str,
    category: Option<&str>,
    api: Option<&str>,
    actor: Option<&str>,
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let api = api.map(normalised_api).unwrap_or_default();
    for part in [
        "prior-access/v2",
        package,
        rule,
        category.unwrap_or(""),
        api.as_str(),
        actor.unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The API of an access without the interface or class that carried it: the method a binder
/// call or logcat API names (`ITelephony.getImeiForSlot`, `IPhoneSubInfo.getImeiForSlot` and
/// `getImeiForSlot` are all `getImeiForSlot`); a prefixed signal (`appop:…`, `permission:…`,
/// `host:…`, `provider:…`) is kept whole.
pub fn normalised_api(api: &str) -> String {
    if api.contains(':') {
        return api.to_string();
    }
    match api.rsplit('.').next() {
        Some(m) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
            m.to_string()
        }
        _ => api.to_string(),
    }
}

/// The serialised (snake_case) name of an enum value, e.g. `fail` for `Verdict::Fail`.
pub(crate) fn label<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The PNG screenshots of a bundle (`raw/screenshots/*.png`), sorted by name. A bundle
/// without screenshots gives an empty list. Like every bundle read, it never follows a link:
/// a linked `raw/` or `raw/screenshots/`, or a screenshot that is a link, FIFO or device, is
/// left out (the analysis lists it as irregular); a file too large to embed is named, not read.
pub fn bundle_screenshots(bundle: &Path) -> Result<Vec<Screenshot>, RenderError> {
    let real_dir = |p: &Path| p.symlink_metadata().is_ok_and(|m| m.is_dir());
    let dir = bundle.join("raw").join("screenshots");
    if !real_dir(&bundle.join("raw")) || !real_dir(&dir) {
        return Ok(Vec::new());
    }
    let rd = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(RenderError::Read {
                path: dir.display().to_string(),
                message: e.to_string(),
            });
        }
    };
    let mut names: Vec<String> = rd
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".png"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let rel = format!("raw/screenshots/{name}");
        let read_err = |message: String| RenderError::Read {
            path: bundle.join(&rel).display().to_string(),
            message,
        };
        let png = match prior_model::bundle::open_file_in(bundle, &rel) {
            Ok(Some((f, size))) if size <= html::MAX_SCREENSHOT_BYTES as u64 => {
                let mut png = Vec::new();
                std::io::Read::read_to_end(
                    &mut std::io::Read::take(f, html::MAX_SCREENSHOT_BYTES as u64),
                    &mut png,
                )
                .map_err(|e| read_err(e.to_string()))?;
                png
            }
            // Too large to embed: named, not read (the page says so).
            Ok(Some(_)) => Vec::new(),
            Ok(None) | Err(prior_model::bundle::BundleError::NotRegular { .. }) => continue,
            Err(e) => return Err(read_err(e.to_string())),
        };
        out.push(Screenshot { name, png });
    }
    Ok(out)
}

/// The report as pretty-printed JSON with a final newline. Field order is fixed and every list
/// is sorted by the analyzer, so the same report always gives the same bytes.
pub fn render_json(report: &Report) -> String {
    match serde_json::to_string_pretty(report) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Unreachable in practice: the report holds only strings, numbers and lists.
        Err(e) => format!(
            "{{\n  \"error\": {}\n}}\n",
            serde_json::Value::String(format!("failed to serialise the report: {e}"))
        ),
    }
}

/// Several reports as one JSON document: `{"batch_format": 1, "summary": {…}, "reports": […]}`
/// (`docs/reports.md`). The summary counts runs per verdict and findings over all runs.
pub fn render_json_batch(reports: &[&Report]) -> String {
    let count = |v: prior_model::Verdict| reports.iter().filter(|r| r.verdict == v).count();
    let worst = if count(prior_model::Verdict::Fail) > 0 {
        "fail"
    } else if count(prior_model::Verdict::Inconclusive) > 0 {
        "inconclusive"
    } else {
        "pass"
    };
    let value = serde_json::json!({
        "batch_format": 1,
        "summary": {
            "runs": reports.len(),
            "verdict": worst,
            "pass": count(prior_model::Verdict::Pass),
            "fail": count(prior_model::Verdict::Fail),
            "inconclusive": count(prior_model::Verdict::Inconclusive),
            "findings": reports.iter().map(|r| r.summary.findings).sum::<u64>(),
            "violations": reports.iter().map(|r| r.summary.violations).sum::<u64>(),
        },
        "reports": reports,
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_else(|e| {
        format!(
            "{{\"error\": {}}}",
            serde_json::Value::String(e.to_string())
        )
    });
    s.push('\n');
    s
}

#[cfg(test)]
mod formats_tests;
#[cfg(test)]
mod lang_tests;
#[cfg(test)]
mod tests;
