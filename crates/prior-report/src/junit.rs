//! JUnit XML (written with `quick-junit`) for CI systems such as Jenkins and GitLab.
//!
//! Layout: one `<testsuite>` per analysed bundle, named `<package> · <scenario>`; one
//! `<testcase>` per rule of Prior ([`prior_analyze::RuleId::ALL`], classname
//! `prior.<package>`), failing when the run's [`Judgement`] says findings of that rule count
//! (without one: every violation-level finding; an access a transmission joined is of both
//! rules, `ReportFinding::is_of_rule`), with one line per finding in the failure
//! message and the evidence (`file:line: text`) in the failure body; findings that do not
//! count (allowed or expected by the scenario, unchanged since the baseline) and `info` ones
//! leave the case passing and are listed in its `system-out` with the reason; an
//! `expectations` case when the scenario has an `expect:` block (failing when it does not
//! hold); a `sources-analysed` case that errors (type `inconclusive`, or `blind` beside a
//! failure that counts) when a collector the profile requires was not analysed or one that ran
//! came out partial or failed, naming each with its state and reason (also in the suite's
//! `source.<name>` properties); plus a `session-complete` case that errors when the session
//! or its analysis was incomplete (a clean result then proves nothing). So a run whose exit
//! code is 0 has no failure and no error, 1 has a failure, 4 an error. A simulated session
//! says so in the suite's properties and in every failure message. [`render_junit_run`] adds a
//! suite per scenario of a `prior run` that ended without a bundle.

use crate::{FindingStatus, Judgement, RenderError, label};
use prior_analyze::{Report, RuleId};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write;

/// Renders one JUnit document (`<testsuites>`) for one or more reports, judged on their
/// verdicts alone (no scenario expectations, no baseline).
pub fn render_junit(reports: &[&Report]) -> Result<String, RenderError> {
    let none = Judgement::default();
    let runs: Vec<(&Report, &Judgement)> = reports.iter().map(|r| (*r, &none)).collect();
    render_junit_judged(&runs)
}

/// [`render_junit`] with each run's [`Judgement`]: a rule's case fails only for findings that
/// count ([`FindingStatus::counts`]); findings the scenario allows or expects and findings
/// unchanged since the baseline pass, listed in the case's `system-out` with the reason; an
/// `expectations` case fails when the scenario's `expect:` block does not hold. A run whose
/// exit code is 0 therefore has no failure and no error, one whose code is 1 has a failure.
pub fn render_junit_judged(runs: &[(&Report, &Judgement)]) -> Result<String, RenderError> {
    let mut doc = quick_junit::Report::new("prior");
    for (r, j) in runs {
        doc.add_test_suite(suite(r, j));
    }
    let xml = doc
        .to_string()
        .map_err(|e| RenderError::Xml(e.to_string()))?;
    Ok(strip_root_skipped(xml))
}

/// A scenario of a `prior run` that ended without a bundle to analyse (its scenario did not
/// load, the device failed, …): its own suite with one `run` case in error, so a combined
/// JUnit file fails exactly when the run's exit code says an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunError {
    /// The scenario file.
    pub scenario: String,
    /// `input` or `device` (the error type).
    pub kind: String,
    /// The error, in words.
    pub message: String,
}

/// [`render_junit_judged`] plus one suite per scenario that failed before it could be judged
/// (`prior run --report junit` with several scenarios writes this combined file).
pub fn render_junit_run(
    runs: &[(&Report, &Judgement)],
    errors: &[RunError],
) -> Result<String, RenderError> {
    let mut doc = quick_junit::Report::new("prior");
    for (r, j) in runs {
        doc.add_test_suite(suite(r, j));
    }
    for e in errors {
        let mut s = TestSuite::new(format!("scenario {}", e.scenario));
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
        st.set_type(e.kind.clone());
        // quick-junit drops ANSI escapes and characters XML cannot carry.
        st.set_message(e.message.clone());
        let mut case = TestCase::new("run", st);
        case.set_classname("prior.run");
        s.add_test_case(case);
        doc.add_test_suite(s);
    }
    let xml = doc
        .to_string()
        .map_err(|e| RenderError::Xml(e.to_string()))?;
    Ok(strip_root_skipped(xml))
}

/// Jenkins' `junit-10.xsd` does not allow `skipped` on `<testsuites>` (only on
/// `<testsuite>`); quick-junit writes it. Prior never skips a case, so the count is always 0
/// and the attribute is dropped from the root element only.
pub(crate) fn strip_root_skipped(xml: String) -> String {
    let Some(start) = xml.find("<testsuites") else {
        return xml;
    };
    let Some(len) = xml[start..].find('>') else {
        return xml;
    };
    let tag = &xml[start..start + len];
    match tag.find(" skipped=\"0\"") {
        Some(i) => {
            let at = start + i;
            let mut out = String::with_capacity(xml.len());
            out.push_str(&xml[..at]);
            out.push_str(&xml[at + " skipped=\"0\"".len()..]);
            out
        }
        None => xml,
    }
}

fn suite(r: &Report, j: &Judgement) -> TestSuite {
    let scenario = r.bundle.scenario.as_deref().unwrap_or("(no scenario)");
    let mut s = TestSuite::new(format!("{} · {}", r.app.package, scenario));
    let props = [
        ("package", Some(r.app.package.clone())),
        ("version", r.app.version_name.clone()),
        ("apk_sha256", r.app.apk_sha256.clone()),
        ("device", r.device.model.clone()),
        ("api_level", r.device.api_level.map(|a| a.to_string())),
        ("simulated", Some(r.device.simulated.to_string())),
        ("profile", Some(r.profile.name.clone())),
        ("verdict", Some(label(&r.verdict))),
        (
            "analyzer",
            Some(format!("{} {}", r.analyzer.name, r.analyzer.version)),
        ),
    ];
    for (k, v) in props {
        if let Some(v) = v {
            s.add_property(Property::new(k, v));
        }
    }
    // One property per collector: `source.ipc` = `unavailable (user build): …; required`.
    for c in &r.checked.sources {
        let required = if c.required { "; required" } else { "" };
        s.add_property(Property::new(
            format!("source.{}", c.source.as_str()),
            format!("{}{required}", c.describe()),
        ));
    }
    let class = format!("prior.{}", r.app.package);
    let sim = if r.device.simulated {
        " [SIMULATED device]"
    } else {
        ""
    };
    for rule in RuleId::ALL {
        let id = rule.as_str();
        let fs: Vec<_> = r
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.is_of_rule(id))
            .collect();
        let violations: Vec<_> = fs
            .iter()
            .filter(|(i, _)| j.status(r, *i).counts())
            .map(|(_, f)| f)
            .collect();
        let new = fs
            .iter()
            .any(|(i, _)| j.status(r, *i) == FindingStatus::Violation { new: true });
        let mut case = if violations.is_empty() {
            TestCase::new(id, TestCaseStatus::success())
        } else {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let worst = violations.iter().map(|f| f.severity).max();
            st.set_type(worst.map(|w| label(&w)).unwrap_or_default());
            let msgs: Vec<&str> = violations.iter().map(|f| f.message.as_str()).collect();
            st.set_message(format!(
                "{} finding(s){}{sim}: {}",
                violations.len(),
                if new { " new since the baseline" } else { "" },
                msgs.join(" | ")
            ));
            let mut body = String::new();
            for (i, f) in violations.iter().enumerate() {
                let _ = writeln!(
                    body,
                    "[{}] {} {} {} {}",
                    i + 1,
                    label(&f.severity),
                    f.category.map(|c| c.as_str()).unwrap_or("-"),
                    f.phase.as_str(),
                    f.api.as_ref().map_or("-".to_string(), ToString::to_string)
                );
                if f.rule != id {
                    // issue 18: one access, one finding; its transmission fails this case too
                    let _ = writeln!(
                        body,
                        "    one finding with the {} case: the transmission joined that access",
                        f.rule
                    );
                }
                if let Some(a) = &f.actor {
                    let _ = writeln!(body, "    actor: {} ({})", a.name, label(&a.kind));
                }
                for e in &f.evidence {
                    let _ = writeln!(body, "    {}: {}", crate::evidence_place(e), e.text);
                }
                if f.evidence_omitted > 0 {
                    let _ = writeln!(body, "    … {} more", f.evidence_omitted);
                }
            }
            st.set_description(body);
            TestCase::new(id, st)
        };
        case.set_classname(class.clone());
        let mut info: Vec<String> = Vec::new();
        for (i, f) in &fs {
            match j.status(r, *i) {
                FindingStatus::Info => info.push(f.message.clone()),
                st => {
                    if let Some(why) = st.excuse() {
                        info.push(format!("{why}: {}", f.message));
                    }
                }
            }
        }
        if !info.is_empty() {
            case.set_system_out(info.join("\n"));
        }
        s.add_test_case(case);
    }
    // The scenario's `expect:` block, when it has one.
    if let Some(e) = &j.expectations {
        let line = j.expectations_line(r).unwrap_or_default();
        let mut case = if e.met {
            let mut c = TestCase::new("expectations", TestCaseStatus::success());
            c.set_system_out(line);
            c
        } else {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_type("expectations");
            st.set_message(format!("{line}{sim}"));
            TestCase::new("expectations", st)
        };
        case.set_classname(class.clone());
        s.add_test_case(case);
    }
    // The collectors: errors when a source the profile requires was not analysed, or one that
    // ran came out partial or failed (the verdict is then at best inconclusive).
    let blind: Vec<String> = r
        .blind_sources()
        .map(|c| {
            format!(
                "{}{}: {}",
                c.source.as_str(),
                if c.required { " (required)" } else { "" },
                c.describe()
            )
        })
        .collect();
    let mut sources = if blind.is_empty() {
        TestCase::new("sources-analysed", TestCaseStatus::success())
    } else {
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
        // Inconclusive when nothing else fails the run (the exit code is then 4), "blind"
        // beside a failing rule.
        let (kind, so) = if r.verdict == prior_model::Verdict::Inconclusive {
            ("inconclusive", "so the verdict is inconclusive".to_string())
        } else if !j.fails(r) {
            (
                "inconclusive",
                "so the run is inconclusive (none of its violations counts)".to_string(),
            )
        } else {
            ("blind", format!("so the verdict is {}", label(&r.verdict)))
        };
        st.set_type(kind);
        st.set_message(format!(
            "{} not analysed, {so}{sim}: {}",
            if blind.len() == 1 {
                "a source was"
            } else {
                "sources were"
            },
            blind.join(" | ")
        ));
        TestCase::new("sources-analysed", st)
    };
    sources.set_classname(class.clone());
    s.add_test_case(sources);
    // The other reasons (the blind sources have their own case above).
    let mut rest: Vec<&str> = r.incomplete_besides_sources().map(String::as_str).collect();
    if rest.is_empty() && blind.is_empty() && r.verdict == prior_model::Verdict::Inconclusive {
        rest.push("the verdict is inconclusive");
    }
    let mut complete = if rest.is_empty() {
        TestCase::new("session-complete", TestCaseStatus::success())
    } else {
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
        st.set_type("incomplete");
        st.set_message(format!(
            "the session or its analysis is incomplete{sim}: {}",
            rest.join("; ")
        ));
        TestCase::new("session-complete", st)
    };
    complete.set_classname(class);
    s.add_test_case(complete);
    s
}
