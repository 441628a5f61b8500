//! Baselines for nightly runs: a file of known findings, and a comparison that marks each
//! finding of a new run as `new` or `unchanged` and each known finding that is gone as
//! `fixed`.
//!
//! Findings are matched by [`crate::fingerprint`] (package, rule, category, API, actor; never
//! times or counts). Only violation-level findings (severity above `info`) are recorded and
//! compared. A known finding counts as fixed only when the new reports include its package;
//! a baseline covering several apps is therefore safe to use for a run of one of them.

use crate::{RenderError, fingerprint, label};
use prior_analyze::Report;
use prior_analyze::report::ReportFinding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt::Write;

/// Version of the baseline file layout.
pub const BASELINE_FORMAT: u32 = 1;

/// A baseline file (`prior baseline save`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// [`BASELINE_FORMAT`].
    pub baseline_format: u32,
    /// Known findings, sorted by fingerprint, without duplicates.
    pub findings: Vec<BaselineEntry>,
}

/// One known finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// [`crate::fingerprint`].
    pub fingerprint: String,
    /// App package.
    pub package: String,
    /// Rule id.
    pub rule: String,
    /// Category (serialised name), when the rule has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// API or signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// Actor name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Severity when recorded (for people; not matched).
    pub severity: String,
    /// The finding's message when recorded (for people; not matched).
    pub message: String,
}

impl BaselineEntry {
    fn of(package: &str, f: &ReportFinding) -> BaselineEntry {
        BaselineEntry {
            fingerprint: fingerprint(package, f),
            package: package.to_string(),
            rule: f.rule.clone(),
            category: f.category.map(|c| c.as_str().to_string()),
            api: f.api.clone(),
            actor: f.actor.as_ref().map(|a| a.name.clone()),
            severity: label(&f.severity),
            message: f.message.clone(),
        }
    }
}

impl Baseline {
    /// The violation-level findings of some reports.
    pub fn from_reports(reports: &[&Report]) -> Baseline {
        let mut findings: Vec<BaselineEntry> = reports
            .iter()
            .flat_map(|r| r.violations().map(|f| BaselineEntry::of(&r.app.package, f)))
            .collect();
        findings.sort();
        findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            baseline_format: BASELINE_FORMAT,
            findings,
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Parses a baseline file.
    pub fn from_json(text: &str) -> Result<Baseline, RenderError> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| RenderError::Read {
            path: "baseline".to_string(),
            message: e.to_string(),
        })?;
        if b.baseline_format != BASELINE_FORMAT {
            return Err(RenderError::Read {
                path: "baseline".to_string(),
                message: format!(
                    "baseline_format {} is not supported (expected {BASELINE_FORMAT})",
                    b.baseline_format
                ),
            });
        }
        Ok(b)
    }

    /// Compares reports with this baseline.
    pub fn compare(&self, reports: &[&Report]) -> BaselineDiff {
        let known: BTreeSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let now = Baseline::from_reports(reports);
        let seen: BTreeSet<&str> = now
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let packages: BTreeSet<&str> = reports.iter().map(|r| r.app.package.as_str()).collect();
        let (unchanged, new): (Vec<_>, Vec<_>) = now
            .findings
            .iter()
            .cloned()
            .partition(|e| known.contains(e.fingerprint.as_str()));
        let fixed = self
            .findings
            .iter()
            .filter(|e| {
                packages.contains(e.package.as_str()) && !seen.contains(e.fingerprint.as_str())
            })
            .cloned()
            .collect();
        BaselineDiff {
            new,
            unchanged,
            fixed,
        }
    }
}

/// How a run compares with a baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineDiff {
    /// Findings not in the baseline.
    pub new: Vec<BaselineEntry>,
    /// Findings in the baseline and in the run.
    pub unchanged: Vec<BaselineEntry>,
    /// Baseline findings of the run's apps that the run no longer shows.
    pub fixed: Vec<BaselineEntry>,
}

impl BaselineDiff {
    /// `new`, `unchanged`, or `None` when the finding is not a violation.
    pub fn state_of(&self, package: &str, f: &ReportFinding) -> Option<&'static str> {
        if !f.severity.is_violation() {
            return None;
        }
        let fp = fingerprint(package, f);
        if self.new.iter().any(|e| e.fingerprint == fp) {
            Some("new")
        } else {
            Some("unchanged")
        }
    }

    /// A short summary for a terminal; control characters in app strings are replaced.
    pub fn render_text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "Baseline: {} new, {} unchanged, {} fixed.",
            self.new.len(),
            self.unchanged.len(),
            self.fixed.len()
        );
        for (word, list) in [("new", &self.new), ("fixed", &self.fixed)] {
            for e in list {
                let line = format!(
                    "  {word:<5} {} {} {} {} ({})",
                    e.package,
                    e.rule,
                    e.category.as_deref().unwrap_or("-"),
                    e.api.as_deref().unwrap_or("-"),
                    e.actor.as_deref().unwrap_or("actor unknown"),
                );
                let clean: String = line
                    .chars()
                    .map(|c| if c.is_control() { '?' } else { c })
                    .collect();
                let _ = writeln!(o, "{clean}");
            }
        }
        o
    }
}
