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

/// Version of the baseline file layout. 2 since issue 14: fingerprints are of the normalised
/// access (`prior-access/v2`, [`crate::fingerprint`]). A format-1 file is still read: its
/// entries keep rule, category, API and actor, so their fingerprints are recomputed
/// ([`Baseline::migrated_from`] says so).
pub const BASELINE_FORMAT: u32 = 2;

/// The oldest baseline layout still read.
pub const OLDEST_BASELINE_FORMAT: u32 = 1;

/// A baseline file (`prior baseline save`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// [`BASELINE_FORMAT`].
    pub baseline_format: u32,
    /// Known findings, sorted by fingerprint, without duplicates.
    pub findings: Vec<BaselineEntry>,
    /// The layout the file was written in when older than [`BASELINE_FORMAT`] (its
    /// fingerprints were recomputed on reading); not written.
    #[serde(skip)]
    pub migrated_from: Option<u32>,
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
            api: f.api.as_ref().map(ToString::to_string),
            actor: f.actor.as_ref().map(|a| a.name.clone()),
            severity: label(&f.severity),
            message: f.message.clone(),
        }
    }
}

impl Baseline {
    /// A sentence for the user when the file was written in an older layout, else `None`.
    pub fn migration_note(&self) -> Option<String> {
        self.migrated_from.map(|v| {
            format!(
                "the baseline is in format {v} (one fingerprint per signal); its fingerprints were \
                 recomputed as accesses (format {BASELINE_FORMAT}). Entries for app-op or \
                 permission signals that are now evidence of an access will show as fixed: save \
                 the baseline again with `prior baseline save` to drop them"
            )
        })
    }

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
            migrated_from: None,
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads and parses a baseline file (`--baseline FILE`): only a regular file (a FIFO is
    /// opened without blocking and refused, as are devices such as `/dev/zero`), at most
    /// [`MAX_BASELINE_BYTES`] whatever its size claims.
    pub fn from_file(path: &std::path::Path) -> Result<Baseline, RenderError> {
        let text = read_capped_text(path, MAX_BASELINE_BYTES)?;
        Baseline::from_json(&text).map_err(|e| match e {
            RenderError::Read { message, .. } => RenderError::Read {
                path: path.display().to_string(),
                message,
            },
            other => other,
        })
    }

    /// Parses a baseline file.
    pub fn from_json(text: &str) -> Result<Baseline, RenderError> {
        let mut b: Baseline = serde_json::from_str(text).map_err(|e| RenderError::Read {
            path: "baseline".to_string(),
            message: e.to_string(),
        })?;
        if !(OLDEST_BASELINE_FORMAT..=BASELINE_FORMAT).contains(&b.baseline_format) {
            return Err(RenderError::Read {
                path: "baseline".to_string(),
                message: format!(
                    "baseline_format {} is not supported (this Prior reads {OLDEST_BASELINE_FORMAT} \
                     to {BASELINE_FORMAT}); save the baseline again with `prior baseline save`",
                    b.baseline_format
                ),
            });
        }
        if b.baseline_format < BASELINE_FORMAT {
            // Format 1 fingerprinted each signal (`prior-finding/v1`, with the whole API); its
            // entries keep the parts, so the access fingerprint is recomputed from them.
            for e in &mut b.findings {
                e.fingerprint = crate::fingerprint_of(
                    &e.package,
                    &e.rule,
                    e.category.as_deref(),
                    e.api.as_deref(),
                    e.actor.as_deref(),
                );
            }
            b.findings.sort();
            b.findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
            b.migrated_from = Some(b.baseline_format);
            b.baseline_format = BASELINE_FORMAT;
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
                // Baseline entries come from bundles and baseline files: terminal-safe.
                let _ = writeln!(o, "{}", prior_model::text::escape_line(&line));
            }
        }
        o
    }
}

/// Largest baseline file read (a baseline holds one short entry per finding).
pub const MAX_BASELINE_BYTES: u64 = 64 << 20;

/// The UTF-8 text of a regular file of at most `cap` bytes, opened without blocking (a FIFO
/// never hangs the open) and checked with `fstat` before anything is read.
pub(crate) fn read_capped_text(path: &std::path::Path, cap: u64) -> Result<String, RenderError> {
    use rustix::fs::{FileType, Mode, OFlags};
    use std::io::Read;
    let err = |message: String| RenderError::Read {
        path: path.display().to_string(),
        message,
    };
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let fd = rustix::fs::open(path, flags, Mode::empty())
        .map_err(|e| err(std::io::Error::from(e).to_string()))?;
    let st = rustix::fs::fstat(&fd).map_err(|e| err(std::io::Error::from(e).to_string()))?;
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
        return Err(err(
            "not a regular file (a FIFO, device, socket or directory is never read)".into(),
        ));
    }
    let size = u64::try_from(st.st_size).unwrap_or(0);
    if size > cap {
        return Err(err(format!(
            "{size} bytes, more than the {cap} bytes Prior reads"
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::from(fd)
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(e.to_string()))?;
    if bytes.len() as u64 > cap {
        return Err(err(format!("more than the {cap} bytes Prior reads")));
    }
    String::from_utf8(bytes).map_err(|_| err("not UTF-8 text".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_are_read_only_from_capped_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        for p in [
            fifo.as_path(),
            std::path::Path::new("/dev/zero"),
            dir.path(),
        ] {
            let e = Baseline::from_file(p).unwrap_err().to_string();
            assert!(e.contains("not a regular file"), "{e}");
        }
        let big = dir.path().join("big.json");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_BASELINE_BYTES + 1)
            .unwrap();
        let e = Baseline::from_file(&big).unwrap_err().to_string();
        assert!(e.contains("more than"), "{e}");
        let ok = dir.path().join("ok.json");
        std::fs::write(&ok, Baseline::from_reports(&[]).to_json()).unwrap();
        assert!(Baseline::from_file(&ok).unwrap().findings.is_empty());
    }
}
