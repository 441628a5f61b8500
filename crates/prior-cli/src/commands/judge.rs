//! Judging a run beyond its verdict, the same way for `prior run` and `prior report`: the
//! scenario's `expect:` block (for `prior report`, the scenario text recorded in the bundle)
//! and a baseline. The result is a [`prior_report::Judgement`] that every renderer shows, and
//! the [`Outcome`] whose exit code agrees with it (`docs/exit-codes.md`).

use crate::exit::{Judged, Outcome};
use prior_analyze::Report;
use prior_report::{BaselineDiff, Expectations, Judgement, Suppression};
use prior_scenario::{Date, Expect, Scenario};
use std::path::{Path, PathBuf};

/// Whether a scenario's `expect:` block says anything.
pub fn has_expectations(expect: &Expect) -> bool {
    expect.max_findings.is_some() || expect.verdict.is_some() || !expect.allow.is_empty()
}

/// Judges `report` under the scenario's `expect:` block (when `expect` is given) on `today`,
/// and against a baseline comparison (when `diff` is given).
///
/// A scenario whose `expect:` has allow entries but neither `verdict` nor `max_findings`
/// expects no violation besides the allowed ones (as `max_findings: 0` would): allow entries
/// alone never make every finding acceptable.
pub fn judge(
    report: &Report,
    expect: Option<&Expect>,
    diff: Option<&BaselineDiff>,
    today: Date,
) -> Judgement {
    let mut j = Judgement {
        baseline: diff.cloned(),
        ..Judgement::default()
    };
    let Some(expect) = expect.filter(|e| has_expectations(e)) else {
        return j;
    };
    let findings: Vec<prior_model::Finding> =
        report.findings.iter().map(|f| f.to_finding()).collect();
    let judged = expect.judge(&findings, report.verdict, today);
    j.allowed = judged
        .allowed
        .iter()
        .filter_map(|&(i, a)| {
            expect.allow.get(a).map(|entry| Suppression {
                finding: i,
                reason: entry.reason.clone(),
                expires: entry.expires.map(|d| d.to_string()),
            })
        })
        .collect();
    let violations = |n: usize| {
        if n == 1 {
            "1 violation".to_string()
        } else {
            format!("{n} violations")
        }
    };
    let mut expected = Vec::new();
    let mut problems = Vec::new();
    if let Some(v) = expect.verdict {
        expected.push(format!("verdict {}", verdict_word(v)));
    }
    if let Some(want) = expect.max_findings {
        expected.push(format!(
            "at most {} not covered by an allow entry",
            violations(want as usize)
        ));
    }
    let allow_only = expect.verdict.is_none() && expect.max_findings.is_none();
    if allow_only {
        expected.push("no violation besides the allowed ones".to_string());
        if !judged.unexpected.is_empty() {
            problems.push(format!(
                "{} not covered by an allow entry (allow entries alone expect none)",
                violations(judged.unexpected.len())
            ));
        }
    }
    if let Some((want, got)) = judged.verdict_mismatch {
        problems.push(format!(
            "the verdict is {}, expected {}",
            verdict_word(got),
            verdict_word(want)
        ));
    }
    if let Some((max, got)) = judged.too_many {
        problems.push(format!(
            "{} not covered by an allow entry, at most {max} expected",
            violations(got)
        ));
    }
    j.expectations = Some(Expectations {
        met: problems.is_empty(),
        expected,
        problems,
        unexpected: judged.unexpected.len(),
        expired: judged.expired.len(),
    });
    j
}

fn verdict_word(v: prior_model::Verdict) -> &'static str {
    match v {
        prior_model::Verdict::Pass => "pass",
        prior_model::Verdict::Fail => "fail",
        prior_model::Verdict::Inconclusive => "inconclusive",
    }
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

/// The scenario recorded in the bundle's `meta.json`, parsed again without checking that the
/// files it names exist. `None` when there is none; a recorded scenario that no longer parses
/// is reported on stderr and ignored (its expectations are then not applied).
pub fn recorded_scenario(dir: &Path) -> Option<Scenario> {
    // Read like every bundle file: no link followed, no FIFO opened blocking, capped.
    let meta = super::report::read_meta(dir)?;
    let sc = &meta["scenario"];
    let text = sc["text"].as_str().unwrap_or_default();
    if text.trim().is_empty() {
        return None;
    }
    let path = PathBuf::from(sc["path"].as_str().unwrap_or("scenario.yaml"));
    let opts = prior_scenario::LoadOptions { check_files: false };
    match Scenario::parse(&path, text, &prior_scenario::Vars::default(), opts) {
        Ok(s) => Some(s),
        Err(e) => {
            note!(
                "{}: the recorded scenario does not parse, so its expect: block is not applied: {e}",
                dir.display()
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prior_model::{Severity, Verdict};

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

    fn expect(yaml: &str) -> Expect {
        let text = format!("name: t\napp: {{ package: com.example.app }}\nexpect:\n{yaml}");
        Scenario::parse(
            Path::new("t.yaml"),
            &text,
            &prior_scenario::Vars::default(),
            prior_scenario::LoadOptions { check_files: false },
        )
        .unwrap()
        .expect
    }

    fn today() -> Date {
        Date::parse("2026-12-01").unwrap()
    }

    #[test]
    fn allow_entries_alone_expect_no_other_violation() {
        let r = report(2, Verdict::Fail);
        assert!(r.findings.iter().all(|f| f.severity > Severity::Info));
        let cat = r.findings[0].category.unwrap().as_str();
        let e = expect(&format!(
            "  allow:\n    - category: {cat}\n      reason: known\n"
        ));
        let only_first = r
            .findings
            .iter()
            .filter(|f| f.category == r.findings[0].category)
            .count();
        let j = judge(&r, Some(&e), None, today());
        let met = only_first == r.findings.len();
        assert_eq!(j.expectations_met(), Some(met), "{:?}", j.expectations);
        assert_eq!(j.fails(&r), !met);
        // An allow entry for everything: met, nothing counts.
        let all = expect("  allow:\n    - rule: pre-consent-access\n      reason: everything\n");
        let j = judge(&r, Some(&all), None, today());
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
        let r = report(2, Verdict::Fail);
        let e = expect("  verdict: fail\n");
        let j = judge(&r, Some(&e), None, today());
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
        let j = judge(&r, Some(&e), Some(&empty), today());
        assert_eq!(j.new_violations(&r), Some(2));
        assert_eq!(crate::exit::code_of(&outcome(&r, &j)), 1);
    }

    #[test]
    fn unmet_expectations_say_why() {
        // The leaky bundle has two accesses since issue 14 (the app-op and permission signals
        // are their evidence).
        let r = report(2, Verdict::Fail);
        let j = judge(&r, Some(&expect("  max_findings: 1\n")), None, today());
        assert_eq!(
            j.expectations_line(&r).unwrap(),
            "expectations: NOT met: 2 violations not covered by an allow entry, at most 1 expected \
             (expected at most 1 violation not covered by an allow entry; got verdict fail, \
             2 violations not covered by an allow entry)"
        );
        let j = judge(&r, Some(&expect("  verdict: pass\n")), None, today());
        assert!(
            j.expectations_line(&r)
                .unwrap()
                .contains("NOT met: the verdict is fail, expected pass"),
            "{:?}",
            j.expectations_line(&r)
        );
    }
}
