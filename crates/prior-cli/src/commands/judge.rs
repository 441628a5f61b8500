//! Judging a run beyond its verdict, the same way for `prior run` and `prior report`: the
//! scenario's `expect:` block, which the analyzer judged (its expect stage: the block recorded
//! in the bundle's `meta.json`), and a baseline. The result is a [`prior_report::Judgement`]
//! that every renderer shows, and the [`Outcome`] whose exit code agrees with it
//! (`docs/exit-codes.md`).

use crate::exit::{Judged, Outcome};
use prior_analyze::Report;
use prior_report::{BaselineDiff, Judgement};

/// Judges `report` (its expectations, judged by the analyzer when it was asked to) against a
/// baseline comparison (when `diff` is given).
pub fn judge(report: &Report, diff: Option<&BaselineDiff>) -> Judgement {
    Judgement::of(report, diff)
}

/// The outcome of a judged run: `exit::code_of` maps it to the code of the table in
/// `docs/exit-codes.md`, the same facts the renderers show.
pub fn outcome(report: &Report, j: &Judgement) -> Outcome {
    Outcome::Judged(Judged {
        verdict: report.verdict,
        incomplete: Judgement::incomplete(report),
        expectations_met: j.expectations_met(),
        new_violations: j.new_violations(report),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use prior_analyze::report::{AllowedFinding, ExpectationsReport};
    use prior_model::{Severity, Verdict};
    use std::path::Path;

    fn report(violations: usize, verdict: Verdict) -> Report {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/bundles/leaky");
        let b = prior_model::bundle::Bundle::open(&dir).unwrap();
        let (catalog, sdks) = (
            prior_analyze::Catalog::builtin().unwrap(),
            prior_analyze::SdkCatalog::builtin().unwrap(),
        );
        let profile = prior_analyze::Profile::resolve("cn-miit").unwrap();
        let mut r = prior_analyze::analyze(
            &b,
            &prior_analyze::AnalysisInputs::new(&catalog, &sdks, &profile),
        )
        .unwrap();
        r.findings.retain(|f| f.severity.is_violation());
        r.findings.truncate(violations);
        r.verdict = verdict;
        r
    }

    fn expectations(met: bool, expected: &str, problems: &[&str]) -> ExpectationsReport {
        ExpectationsReport {
            from: "meta".into(),
            judged_on: "2026-12-01".into(),
            met,
            expected: vec![expected.into()],
            problems: problems.iter().map(|p| p.to_string()).collect(),
            unexpected: 2,
            expired: 0,
            allowed: Vec::new(),
        }
    }

    #[test]
    fn the_judgement_takes_the_expectations_the_analyzer_judged() {
        let mut r = report(2, Verdict::Fail);
        assert!(r.findings.iter().all(|f| f.severity > Severity::Info));
        // No expectations judged: every violation counts.
        let j = judge(&r, None);
        assert_eq!(j.expectations_met(), None);
        assert_eq!(j.counting(&r).len(), 2);
        // Every violation allowed: met, nothing counts.
        let mut all = expectations(true, "no violation besides the allowed ones", &[]);
        all.unexpected = 0;
        all.allowed = (0..2)
            .map(|finding| AllowedFinding {
                finding,
                reason: "everything".into(),
                expires: None,
            })
            .collect();
        r.expectations = Some(all);
        let j = judge(&r, None);
        assert_eq!(j.expectations_met(), Some(true));
        assert!(j.counting(&r).is_empty());
        assert!(
            j.expectations_line(&r)
                .unwrap()
                .starts_with("expectations: met (expected no violation besides the allowed ones; got verdict fail, 0 violations not covered by an allow entry, 2 allowed)"),
            "{:?}",
            j.expectations_line(&r)
        );
    }

    #[test]
    fn an_expected_fail_verdict_excuses_every_finding_but_not_new_ones() {
        let mut r = report(2, Verdict::Fail);
        r.expectations = Some(expectations(true, "verdict fail", &[]));
        let j = judge(&r, None);
        assert_eq!(j.expectations_met(), Some(true));
        assert!(j.counting(&r).is_empty());
        assert_eq!(crate::exit::code_of(&outcome(&r, &j)), 0);
        let line = j.expectations_line(&r).unwrap();
        assert_eq!(
            line,
            "expectations: met, so its violations do not fail the run (expected verdict fail; \
             got verdict fail, 2 violations not covered by an allow entry)"
        );
        // The same with an empty baseline: both findings are new, so the run fails.
        let empty = prior_report::Baseline::from_reports(&[]).compare(&[&r]);
        let j = judge(&r, Some(&empty));
        assert_eq!(j.new_violations(&r), Some(2));
        assert_eq!(crate::exit::code_of(&outcome(&r, &j)), 1);
    }

    #[test]
    fn unmet_expectations_say_why_and_fail() {
        let mut r = report(2, Verdict::Fail);
        r.expectations = Some(expectations(
            false,
            "at most 1 violation not covered by an allow entry",
            &["2 violations not covered by an allow entry, at most 1 expected"],
        ));
        let j = judge(&r, None);
        assert_eq!(
            j.expectations_line(&r).unwrap(),
            "expectations: NOT met: 2 violations not covered by an allow entry, at most 1 expected \
             (expected at most 1 violation not covered by an allow entry; got verdict fail, \
             2 violations not covered by an allow entry)"
        );
        assert_eq!(crate::exit::code_of(&outcome(&r, &j)), 1);
    }
}
