//! What Prior concluded about a run beyond the analyzer's verdict: which findings the
//! scenario accepts (`expect.allow`), whether its `expect:` block held, and how the findings
//! compare with a baseline. The expectations are judged by the analyzer (its expect stage,
//! [`prior_analyze::report::ExpectationsReport`]); [`Judgement::of`] adds the baseline
//! comparison. The CLI builds a [`Judgement`] per bundle and derives the exit
//! code from the same facts ([`Judgement::new_violations`], [`Judgement::expectations`]), so
//! every format that shows pass/fail (text, JUnit, SARIF) agrees with the exit code
//! (`docs/exit-codes.md`, `docs/reports.md`).
//!
//! The judgement never changes the analysis: findings, severities and the verdict stay the
//! analyzer's; it only says, per finding, whether it still counts against the run.

use crate::{BaselineDiff, Suppression};
use prior_analyze::Report;

/// The scenario's `expect:` block, judged on one report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    /// Every expectation held.
    pub met: bool,
    /// What was expected, in words (`verdict fail`, `at most 0 violations not covered by an
    /// allow entry`), for people.
    pub expected: Vec<String>,
    /// Why they did not hold (empty when met).
    pub problems: Vec<String>,
    /// Violations that no allow entry covers.
    pub unexpected: usize,
    /// Allow entries past their `expires` day.
    pub expired: usize,
}

/// How one finding stands after the judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingStatus<'a> {
    /// Severity `info`: never counts.
    Info,
    /// Covered by an `expect.allow` entry of the scenario.
    Allowed(&'a Suppression),
    /// In the baseline: known, does not count.
    Unchanged,
    /// The scenario's expectations hold with it (e.g. `expect: verdict: fail`).
    Expected,
    /// Counts against the run: the exit code is 1 because of it.
    Violation {
        /// With a baseline: not in it.
        new: bool,
    },
}

impl FindingStatus<'_> {
    /// Whether the finding makes the run fail.
    pub fn counts(&self) -> bool {
        matches!(self, FindingStatus::Violation { .. })
    }

    /// Why a violation-level finding does not count, in words (`None` when it counts or is
    /// only `info`).
    pub fn excuse(&self) -> Option<String> {
        match self {
            FindingStatus::Allowed(s) => Some(match &s.expires {
                Some(d) => format!("allowed by the scenario until {d} ({})", s.reason),
                None => format!("allowed by the scenario ({})", s.reason),
            }),
            FindingStatus::Unchanged => Some("unchanged since the baseline".to_string()),
            FindingStatus::Expected => {
                Some("expected: the scenario's expectations hold".to_string())
            }
            FindingStatus::Info | FindingStatus::Violation { .. } => None,
        }
    }
}

/// Everything besides the analysis that decides whether a run fails.
#[derive(Debug, Clone, Default)]
pub struct Judgement {
    /// Findings an `expect.allow` entry of the scenario covers.
    pub allowed: Vec<Suppression>,
    /// The scenario's `expect:` block, when it has one (`None`: no expectations).
    pub expectations: Option<Expectations>,
    /// The comparison with a baseline (`--baseline`), when one was given.
    pub baseline: Option<BaselineDiff>,
}

impl Judgement {
    /// The judgement of `report`: the expectations the analyzer judged
    /// ([`Report::expectations`], the one place they are judged) and the baseline comparison
    /// `diff`, when there is one.
    pub fn of(report: &Report, diff: Option<&BaselineDiff>) -> Judgement {
        let mut j = Judgement {
            baseline: diff.cloned(),
            ..Judgement::default()
        };
        if let Some(e) = &report.expectations {
            j.allowed = e
                .allowed
                .iter()
                .map(|a| Suppression {
                    finding: a.finding,
                    reason: a.reason.clone(),
                    expires: a.expires.clone(),
                })
                .collect();
            j.expectations = Some(Expectations {
                met: e.met,
                expected: e.expected.clone(),
                problems: e.problems.clone(),
                unexpected: e.unexpected,
                expired: e.expired,
            });
        }
        j
    }

    /// The status of `report.findings[i]`.
    pub fn status(&self, report: &Report, i: usize) -> FindingStatus<'_> {
        let Some(f) = report.findings.get(i) else {
            return FindingStatus::Info;
        };
        if !f.severity.is_violation() {
            return FindingStatus::Info;
        }
        if let Some(s) = self.allowed.iter().find(|s| s.finding == i) {
            return FindingStatus::Allowed(s);
        }
        if let Some(diff) = &self.baseline {
            return match diff.state_of(&report.app.package, f) {
                Some("unchanged") => FindingStatus::Unchanged,
                _ => FindingStatus::Violation { new: true },
            };
        }
        if self.expectations.as_ref().is_some_and(|e| e.met) {
            return FindingStatus::Expected;
        }
        FindingStatus::Violation { new: false }
    }

    /// With a baseline: how many findings are new and not allowed by the scenario (these
    /// make the run fail even when its expectations hold). `None` without a baseline.
    pub fn new_violations(&self, report: &Report) -> Option<usize> {
        self.baseline.as_ref()?;
        Some(
            (0..report.findings.len())
                .filter(|&i| self.status(report, i) == FindingStatus::Violation { new: true })
                .count(),
        )
    }

    /// Whether the scenario's expectations hold (`None`: it has none).
    pub fn expectations_met(&self) -> Option<bool> {
        self.expectations.as_ref().map(|e| e.met)
    }

    /// The findings that make the run fail, as indexes into `report.findings`.
    pub fn counting(&self, report: &Report) -> Vec<usize> {
        (0..report.findings.len())
            .filter(|&i| self.status(report, i).counts())
            .collect()
    }

    /// Whether the judgement makes this run fail (exit code 1): an expectation that does not
    /// hold, or a finding that counts. `exit::code_of` in the CLI decides the same from
    /// [`Self::expectations_met`] and [`Self::new_violations`]; `tests/it/exit_table.rs` checks
    /// for every row of the table that SARIF's `judgement.fails` (this) matches the exit code.
    pub fn fails(&self, report: &Report) -> bool {
        self.expectations_met() == Some(false) || !self.counting(report).is_empty()
    }

    /// Whether the session proves nothing on its own: incomplete, inconclusive, or a source
    /// kept the report from passing.
    pub fn incomplete(report: &Report) -> bool {
        report.is_incomplete()
            || report.verdict == prior_model::Verdict::Inconclusive
            || report.blind_sources().next().is_some()
    }

    /// One line for people: `expectations: met, so its violations do not fail the run
    /// (expected verdict fail; got verdict fail, 3 violations not covered by an allow entry)`
    /// or `expectations: NOT met: <why> (expected …; got …)`.
    pub fn expectations_line(&self, report: &Report) -> Option<String> {
        let e = self.expectations.as_ref()?;
        let allowed = (0..report.findings.len())
            .filter(|&i| matches!(self.status(report, i), FindingStatus::Allowed(_)))
            .count();
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let mut got = vec![
            format!("verdict {}", crate::label(&report.verdict)),
            format!(
                "{} not covered by an allow entry",
                plural(e.unexpected, "violation", "violations")
            ),
        ];
        if allowed > 0 {
            got.push(format!("{allowed} allowed"));
        }
        if e.expired > 0 {
            got.push(format!(
                "{} expired",
                plural(e.expired, "allow entry", "allow entries")
            ));
        }
        let mut parts = Vec::new();
        if !e.expected.is_empty() {
            parts.push(format!("expected {}", e.expected.join(" and ")));
        }
        parts.push(format!("got {}", got.join(", ")));
        Some(if e.met && e.unexpected > 0 && self.baseline.is_none() {
            format!(
                "expectations: met, so its violations do not fail the run ({})",
                parts.join("; ")
            )
        } else if e.met {
            format!("expectations: met ({})", parts.join("; "))
        } else {
            format!(
                "expectations: NOT met: {} ({})",
                e.problems.join("; "),
                parts.join("; ")
            )
        })
    }
}
