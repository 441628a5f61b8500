//! JUnit XML (written with `quick-junit`) for CI systems such as Jenkins and GitLab.
//!
//! Layout: one `<testsuite>` per analysed bundle, named `<package> · <scenario>`; one
//! `<testcase>` per rule of Prior ([`prior_analyze::RuleId::ALL`], classname
//! `prior.<package>`), failing when the analysis has violation-level findings of that rule,
//! with one line per finding in the failure message and the evidence (`file:line: text`) in
//! the failure body; a `sources-analysed` case that errors (type `inconclusive`, or `blind`
//! beside a failure) when a collector the profile requires was not analysed or one that ran
//! came out partial or failed, naming each with its state and reason (also in the suite's
//! `source.<name>` properties); plus a `session-complete` case that errors when the session
//! or its analysis was incomplete (a clean result then proves nothing). Findings of severity `info`
//! do not fail; they are listed in the case's `system-out`, as are findings the scenario
//! accepts ([`render_junit_with`]). A simulated session says so in
//! the suite's properties and in every failure message.

use crate::{RenderError, Suppression, label};
use prior_analyze::{Report, RuleId};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write;

/// Renders one JUnit document (`<testsuites>`) for one or more reports.
pub fn render_junit(reports: &[&Report]) -> Result<String, RenderError> {
    let runs: Vec<(&Report, &[Suppression])> = reports.iter().map(|r| (*r, &[][..])).collect();
    render_junit_with(&runs)
}

/// [`render_junit`] with the findings each scenario accepts (`expect.allow`): those do not
/// fail their rule; they are listed in the case's `system-out` with the reason.
pub fn render_junit_with(runs: &[(&Report, &[Suppression])]) -> Result<String, RenderError> {
    let mut doc = quick_junit::Report::new("prior");
    for (r, sup) in runs {
        doc.add_test_suite(suite(r, sup));
    }
    let xml = doc
        .to_string()
        .map_err(|e| RenderError::Xml(e.to_string()))?;
    Ok(strip_root_skipped(xml))
}

/// Jenkins' `junit-10.xsd` does not allow `skipped` on `<testsuites>` (only on
/// `<testsuite>`); quick-junit writes it. Prior never skips a case, so the count is always 0
/// and the attribute is dropped from the root element only.
fn strip_root_skipped(xml: String) -> String {
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

fn suite(r: &Report, sup: &[Suppression]) -> TestSuite {
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
        let allowed = |i: usize| sup.iter().find(|s| s.finding == i);
        let fs: Vec<_> = r
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.rule == id)
            .collect();
        let violations: Vec<_> = fs
            .iter()
            .filter(|(i, f)| f.severity.is_violation() && allowed(*i).is_none())
            .map(|(_, f)| f)
            .collect();
        let mut case = if violations.is_empty() {
            TestCase::new(id, TestCaseStatus::success())
        } else {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let worst = violations.iter().map(|f| f.severity).max();
            st.set_type(worst.map(|w| label(&w)).unwrap_or_default());
            let msgs: Vec<&str> = violations.iter().map(|f| f.message.as_str()).collect();
            st.set_message(format!(
                "{} finding(s){sim}: {}",
                violations.len(),
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
                    f.api.as_deref().unwrap_or("-")
                );
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
        let mut info: Vec<String> = fs
            .iter()
            .filter(|(_, f)| !f.severity.is_violation())
            .map(|(_, f)| f.message.clone())
            .collect();
        for (i, f) in &fs {
            if let Some(a) = allowed(*i).filter(|_| f.severity.is_violation()) {
                let until = a
                    .expires
                    .as_deref()
                    .map(|d| format!(" until {d}"))
                    .unwrap_or_default();
                info.push(format!(
                    "allowed by the scenario{until} ({}): {}",
                    a.reason, f.message
                ));
            }
        }
        if !info.is_empty() {
            case.set_system_out(info.join("\n"));
        }
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
        st.set_type(if r.verdict == prior_model::Verdict::Inconclusive {
            "inconclusive"
        } else {
            "blind"
        });
        st.set_message(format!(
            "{} not analysed, so the verdict is {}{sim}: {}",
            if blind.len() == 1 {
                "a source was"
            } else {
                "sources were"
            },
            label(&r.verdict),
            blind.join(" | ")
        ));
        TestCase::new("sources-analysed", st)
    };
    sources.set_classname(class.clone());
    s.add_test_case(sources);
    // The other reasons (the blind sources have their own case above).
    let rest: Vec<&str> = r.incomplete_besides_sources().map(String::as_str).collect();
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
