//! The expect stage: the scenario's `expect:` block judged once, here, on the findings and
//! verdict of this analysis (issue 14). The block is read from `meta.json`
//! `scenario.expect` (typed, written by the recorder since issue 14); a bundle recorded before
//! has none, and the block is then parsed from the scenario text the bundle keeps
//! (`scenario.text`), as the CLI did before. The date the allow entries' `expires` are judged
//! on is an input ([`crate::AnalyzeOptions::judge_expect_on`]): the analyzer reads no clock.

use super::Ctx;
use crate::report::{AllowedFinding, ExpectationsReport, ReportFinding};
use prior_model::Verdict;
use prior_model::expect::{Date, Expect};

/// Where the expectations came from.
pub(crate) const FROM_META: &str = "meta";
/// Parsed from the scenario text of an older bundle.
pub(crate) const FROM_SCENARIO_TEXT: &str = "scenario_text";

/// How the findings compare with the block, before it is put in words.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Judged {
    /// Violations no allow entry covers.
    pub unexpected: Vec<usize>,
    /// Violations an allow entry covers: (finding, entry).
    pub allowed: Vec<(usize, usize)>,
    /// Allow entries past their day.
    pub expired: Vec<usize>,
    /// Allow entries whose `api` pattern does not compile (a recorded pattern always did,
    /// unless meta.json was edited): they cover nothing.
    pub bad_patterns: Vec<usize>,
    /// `(limit, count)` when `max_findings` was exceeded.
    pub too_many: Option<(u32, usize)>,
    /// `(expected, actual)` when `verdict` did not match.
    pub verdict_mismatch: Option<(Verdict, Verdict)>,
}

/// The recorded block: from `meta.json`, else parsed from the scenario text. `Ok(None)`: no
/// scenario, or one without expectations; `Err`: the recorded text does not parse.
pub(crate) fn recorded(
    meta: &prior_model::bundle::Meta,
) -> Result<Option<(Expect, &'static str)>, String> {
    let Some(sc) = meta.scenario.as_ref() else {
        return Ok(None);
    };
    if let Some(e) = &sc.expect {
        return Ok((!e.is_empty()).then(|| (e.clone(), FROM_META)));
    }
    if sc.text.trim().is_empty() {
        return Ok(None);
    }
    let path = std::path::PathBuf::from(if sc.path.is_empty() {
        "scenario.yaml"
    } else {
        sc.path.as_str()
    });
    let opts = prior_scenario::LoadOptions { check_files: false };
    match prior_scenario::Scenario::parse(&path, &sc.text, &prior_scenario::Vars::default(), opts) {
        Ok(s) => {
            let e = s.expect.record();
            Ok((!e.is_empty()).then_some((e, FROM_SCENARIO_TEXT)))
        }
        Err(e) => Err(format!(
            "the recorded scenario does not parse, so its expect: block is not applied: {e}"
        )),
    }
}

/// Compares the findings and verdict with the block on `today`.
pub(crate) fn judge_findings(
    expect: &Expect,
    findings: &[ReportFinding],
    verdict: Verdict,
    today: Date,
) -> Judged {
    let mut out = Judged::default();
    let patterns: Vec<Option<Result<regex::Regex, ()>>> = expect
        .allow
        .iter()
        .map(|a| {
            a.api.as_deref().map(|p| {
                regex::RegexBuilder::new(p)
                    .size_limit(1 << 20)
                    .dfa_size_limit(1 << 20)
                    .nest_limit(64)
                    .build()
                    .map_err(|_| ())
            })
        })
        .collect();
    for (i, (a, p)) in expect.allow.iter().zip(&patterns).enumerate() {
        if a.is_expired(today) {
            out.expired.push(i);
        }
        if matches!(p, Some(Err(()))) {
            out.bad_patterns.push(i);
        }
    }
    for (i, f) in findings.iter().enumerate() {
        if !f.severity.is_violation() {
            continue;
        }
        let covers = |(a, p): (
            &prior_model::expect::Allow,
            &Option<Result<regex::Regex, ()>>,
        )| {
            let api_ok = match p {
                None => true,
                Some(Ok(re)) => f.api.as_ref().is_some_and(|s| re.is_match(&s.to_string())),
                Some(Err(())) => false,
            };
            !a.is_expired(today)
                && a.rule.as_ref().is_none_or(|r| *r == f.rule)
                && a.category.is_none_or(|c| f.category == Some(c))
                && api_ok
        };
        match expect.allow.iter().zip(&patterns).position(covers) {
            Some(a) => out.allowed.push((i, a)),
            None => out.unexpected.push(i),
        }
    }
    if let Some(max) = expect
        .max_findings
        .filter(|m| out.unexpected.len() > *m as usize)
    {
        out.too_many = Some((max, out.unexpected.len()));
    }
    if let Some(want) = expect.verdict.filter(|w| *w != verdict) {
        out.verdict_mismatch = Some((want, verdict));
    }
    out
}

/// The judged block in words, as the report carries it.
///
/// A block whose allow entries have neither `verdict` nor `max_findings` expects no violation
/// besides the allowed ones (as `max_findings: 0` would): allow entries alone never make every
/// finding acceptable.
pub(crate) fn words(
    expect: &Expect,
    judged: &Judged,
    from: &str,
    today: Date,
) -> ExpectationsReport {
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
    if expect.verdict.is_none() && expect.max_findings.is_none() {
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
    for &i in &judged.bad_patterns {
        problems.push(format!(
            "allow entry {} has an api pattern that does not compile, so it covers nothing",
            i + 1
        ));
    }
    ExpectationsReport {
        from: from.to_string(),
        judged_on: today.to_string(),
        met: problems.is_empty(),
        expected,
        problems,
        unexpected: judged.unexpected.len(),
        expired: judged.expired.len(),
        allowed: judged
            .allowed
            .iter()
            .filter_map(|&(finding, a)| {
                expect.allow.get(a).map(|entry| AllowedFinding {
                    finding,
                    reason: entry.reason.clone(),
                    expires: entry.expires.map(|d| d.to_string()),
                })
            })
            .collect(),
    }
}

/// The stage: `(expectations, why they were not read)`; nothing when `on` is `None` (not
/// asked for: `prior analyze`, `prior report --ignore-expect`).
pub(crate) fn stage(
    ctx: &Ctx<'_>,
    findings: &[ReportFinding],
    verdict: Verdict,
    on: Option<Date>,
) -> (Option<ExpectationsReport>, Option<String>) {
    let Some(today) = on else {
        return (None, None);
    };
    match recorded(ctx.meta) {
        Ok(Some((expect, from))) => {
            let judged = judge_findings(&expect, findings, verdict, today);
            (Some(words(&expect, &judged, from, today)), None)
        }
        Ok(None) => (None, None),
        Err(why) => (None, Some(why)),
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Inconclusive => "inconclusive",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::sdks;
    use crate::{AnalysisInputs, AnalyzeOptions, Catalog, Profile, Report};
    use prior_model::bundle::{Bundle, ScenarioInfo};
    use prior_model::{DataCategory, Phase, Severity, Source, Timing};
    use std::path::Path;

    fn day(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    fn leaky_with(scenario: Option<ScenarioInfo>, on: Option<Date>) -> Report {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/bundles/leaky");
        let mut b = Bundle::open(dir).unwrap();
        b.meta.scenario = scenario;
        let (catalog, profile) = (
            Catalog::builtin().unwrap(),
            Profile::builtin("cn-miit").unwrap(),
        );
        let opts = AnalyzeOptions {
            judge_expect_on: on,
            ..AnalyzeOptions::default()
        };
        crate::analyze_with(&b, &AnalysisInputs::new(&catalog, sdks(), &profile), &opts).unwrap()
    }

    fn scenario_text(expect_yaml: &str) -> String {
        format!("name: t\napp: {{ package: com.example.shop }}\nexpect:\n{expect_yaml}")
    }

    fn typed(yaml: &str) -> Expect {
        prior_scenario::Scenario::parse(
            Path::new("t.yaml"),
            &scenario_text(yaml),
            &prior_scenario::Vars::default(),
            prior_scenario::LoadOptions { check_files: false },
        )
        .unwrap()
        .expect
        .record()
    }

    fn info(text: String, expect: Option<Expect>) -> ScenarioInfo {
        ScenarioInfo {
            name: "t".into(),
            path: "t.yaml".into(),
            text,
            consent_mode: "auto".into(),
            expect,
        }
    }

    #[test]
    fn a_typed_expect_in_meta_is_judged_by_the_analyzer() {
        let e = typed("  max_findings: 1\n");
        let r = leaky_with(Some(info(String::new(), Some(e))), Some(day(2026, 12, 1)));
        let x = r.expectations.as_ref().expect("judged");
        assert_eq!(x.from, FROM_META);
        assert_eq!(x.judged_on, "2026-12-01");
        // The leaky bundle has two violations (accesses).
        assert!(!x.met);
        assert_eq!(
            x.problems,
            ["2 violations not covered by an allow entry, at most 1 expected"]
        );
        assert_eq!(
            x.expected,
            ["at most 1 violation not covered by an allow entry"]
        );
        // Not asked for: not judged (prior analyze, report --ignore-expect).
        let e = typed("  max_findings: 1\n");
        let r = leaky_with(Some(info(String::new(), Some(e))), None);
        assert!(r.expectations.is_none());
    }

    #[test]
    fn an_older_bundle_without_a_typed_expect_is_judged_from_its_scenario_text() {
        let text = scenario_text("  verdict: pass\n");
        let r = leaky_with(Some(info(text, None)), Some(day(2026, 12, 1)));
        let x = r.expectations.as_ref().expect("judged from the text");
        assert_eq!(x.from, FROM_SCENARIO_TEXT);
        assert!(!x.met);
        assert_eq!(x.problems, ["the verdict is fail, expected pass"]);
        // A text that no longer parses: not applied, and the report says why.
        let r = leaky_with(Some(info("name: [".into(), None)), Some(day(2026, 12, 1)));
        assert!(r.expectations.is_none());
        assert!(
            r.expectations_not_read
                .as_deref()
                .is_some_and(|w| w.starts_with("the recorded scenario does not parse")),
            "{:?}",
            r.expectations_not_read
        );
        // No scenario, or one without expectations: nothing.
        assert!(
            leaky_with(None, Some(day(2026, 12, 1)))
                .expectations
                .is_none()
        );
        let empty = leaky_with(
            Some(info(String::new(), Some(Expect::default()))),
            Some(day(2026, 12, 1)),
        );
        assert!(empty.expectations.is_none());
    }

    #[test]
    fn allow_entries_alone_expect_no_other_violation() {
        let r = leaky_with(None, None);
        let cat = r.findings[0].category.unwrap().as_str();
        let e = typed(&format!(
            "  allow:\n    - category: {cat}\n      reason: known\n"
        ));
        let j = judge_findings(&e, &r.findings, r.verdict, day(2026, 12, 1));
        let x = words(&e, &j, FROM_META, day(2026, 12, 1));
        let same = r
            .violations()
            .filter(|f| f.category == r.findings[0].category)
            .count();
        assert_eq!(x.met, same == r.violations().count());
        assert_eq!(x.expected, ["no violation besides the allowed ones"]);
        let all = typed("  allow:\n    - rule: pre-consent-access\n      reason: everything\n");
        let j = judge_findings(&all, &r.findings, r.verdict, day(2026, 12, 1));
        let x = words(&all, &j, FROM_META, day(2026, 12, 1));
        assert!(x.met);
        assert_eq!(x.allowed.len(), r.violations().count());
        assert!(x.allowed.iter().all(|a| a.reason == "everything"));
    }

    fn finding(
        rule: &str,
        cat: Option<DataCategory>,
        api: Option<&str>,
        s: Severity,
    ) -> ReportFinding {
        ReportFinding {
            rule: rule.into(),
            severity: s,
            category: cat,
            phase: Phase::BeforeConsent,
            source: Source::Logcat,
            timing: Timing::instant(1),
            api: api.map(Into::into),
            actor: None,
            message: "m".into(),
            events: 1,
            outcomes: Default::default(),
            evidence: Vec::new(),
            evidence_omitted: 0,
            seen_by: Vec::new(),
            signals: 1,
        }
    }

    /// Ported from prior-scenario's `expect_judges_findings` (the judging moved here).
    #[test]
    fn allow_entries_match_rule_category_and_api_until_they_expire() {
        let e = typed(
            "  max_findings: 0\n  verdict: fail\n  allow:\n    - { rule: pre-consent-access, category: location, reason: ok, expires: 2030-06-30 }\n    - { api: \"^IClipboard\\\\.\", reason: ok }\n",
        );
        let fs = vec![
            finding(
                "pre-consent-access",
                Some(DataCategory::Location),
                None,
                Severity::High,
            ),
            finding(
                "pre-consent-access",
                Some(DataCategory::Contacts),
                None,
                Severity::High,
            ),
            finding(
                "pre-consent-access",
                Some(DataCategory::Clipboard),
                Some("IClipboard.getPrimaryClip"),
                Severity::Medium,
            ),
            finding("info-rule", None, None, Severity::Info),
        ];
        let out = judge_findings(&e, &fs, Verdict::Fail, day(2030, 6, 30));
        assert_eq!(out.unexpected, [1]);
        assert_eq!(out.allowed, [(0, 0), (2, 1)]);
        assert_eq!(out.too_many, Some((0, 1)));
        assert!(out.verdict_mismatch.is_none());
        // The day after expiry, the location finding is no longer allowed.
        let out = judge_findings(&e, &fs[..1], Verdict::Pass, day(2030, 7, 1));
        assert_eq!(out.unexpected, [0]);
        assert_eq!(out.expired, [0]);
        assert_eq!(out.verdict_mismatch, Some((Verdict::Fail, Verdict::Pass)));
        let out = judge_findings(&e, &fs[2..], Verdict::Fail, day(2030, 1, 1));
        assert!(out.too_many.is_none() && out.verdict_mismatch.is_none());
        // A pattern that does not compile (an edited meta.json) covers nothing, and says so.
        let mut bad = e.clone();
        bad.allow[1].api = Some("(".into());
        let out = judge_findings(&bad, &fs[2..3], Verdict::Fail, day(2030, 1, 1));
        assert_eq!(out.unexpected, [0]);
        let x = words(&bad, &out, FROM_META, day(2030, 1, 1));
        assert!(!x.met);
        assert!(
            x.problems.iter().any(|p| p.contains("does not compile")),
            "{:?}",
            x.problems
        );
    }
}
